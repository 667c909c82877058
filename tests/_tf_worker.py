"""Worker for tfharness.run_programs: imports TensorFlow once and runs each program in turn."""

import json
import math
import os
import re
import signal
import sys
import traceback
import warnings


def _jsonable(x, depth=0):
    import numpy as np

    if depth > 6:
        return repr(x)
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else repr(x)
    if isinstance(x, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in x]
    if hasattr(x, "numpy"):
        try:
            x = x.numpy()
        except Exception:
            return repr(x)
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist(), depth + 1)
    if isinstance(x, np.generic):
        return _jsonable(x.item(), depth + 1)
    return repr(x)


def gradient_status(grads):
    import numpy as np

    out = []
    for g in grads:
        if g is None:
            out.append("none")
            continue
        if hasattr(g, "values") and hasattr(g, "indices"):  # IndexedSlices
            g = g.values
        a = np.asarray(g, dtype=np.float64)
        if np.isnan(a).any():
            out.append("nan")
        elif np.isinf(a).any():
            out.append("inf")
        elif not a.any():
            out.append("zero")
        else:
            out.append("ok")
    return out


class _Timeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def main():
    inp, outp = sys.argv[1], sys.argv[2]
    spec = json.load(open(inp))
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    signal.signal(signal.SIGALRM, _on_alarm)
    results = {}
    workdir = os.path.dirname(os.path.abspath(outp))
    # One JSON line per finished program, so a batch cut short by the harness's deadline keeps what it ran.
    partial = open(outp + ".partial", "w", encoding="utf-8")
    parent = os.getppid()
    for name, source in spec["programs"].items():
        if os.getppid() != parent:
            break  # the test run that started this worker is gone (killed): stop instead of running on as an orphan
        # A real file, so AutoGraph (which reads source with inspect) can convert the program's functions.
        fname = os.path.join(workdir, re.sub(r"[^A-Za-z0-9_]", "_", name) + ".py")
        with open(fname, "w", encoding="utf-8") as fh:
            fh.write(source)
        tf.keras.backend.clear_session()
        # Global switches a program may flip (mixed precision, eager tf.functions) go back to TF's defaults,
        # so a verdict never depends on which programs ran earlier in this worker.
        tf.keras.mixed_precision.set_global_policy("float32")
        tf.config.run_functions_eagerly(False)
        # One seed per program: random weights are the same on every run, so a verdict that hangs on an
        # unlucky draw (a ReLU dead for every input, signs summing to exactly 0) fails every time, not 1 run in 1000.
        tf.keras.utils.set_random_seed(20261206)
        ns = {"__name__": "__main__", "__file__": fname, "gradient_status": gradient_status}
        err = err_type = err_line = None
        caught = []
        signal.alarm(int(spec.get("per_program_timeout", 120)))
        try:
            with warnings.catch_warnings(record=True) as wlist:
                warnings.simplefilter("always")
                exec(compile(source, fname, "exec"), ns)
                caught = [f"{w.category.__name__}: {w.message}" for w in wlist]
        except _Timeout:
            err, err_type = "Timeout: program ran past its limit", "Timeout"
        except BaseException as e:  # SystemExit included: a program must not end the worker
            err_type = type(e).__name__
            err = f"{err_type}: {e}"
            for fr in traceback.extract_tb(e.__traceback__):
                if fr.filename == fname:
                    err_line = fr.lineno
        finally:
            signal.alarm(0)
        results[name] = {
            "error": err,
            "error_type": err_type,
            "error_line": err_line,
            "result": _jsonable(ns.get("RESULT")),
            "warnings": caught[:20],
        }
        partial.write(json.dumps({name: results[name]}) + "\n")
        partial.flush()
    partial.close()
    json.dump(results, open(outp, "w"))


if __name__ == "__main__":
    main()
