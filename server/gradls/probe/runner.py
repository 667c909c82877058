"""gradls probe runner: run a user's script as ``__main__`` under an instrumented TensorFlow.

Executed BY PATH in the user's interpreter (the one that has TensorFlow), usually without gradls
installed, so this file must stay self-contained: standard library + tensorflow (and keras and
numpy, which TensorFlow itself depends on) only,
and syntax that Python 3.8 still accepts.

    python runner.py (--report-file F | --report-fd N) [--steps N] [--device auto|cpu|gpu] -- script.py [args...]

It writes JSON lines ("events", protocol 1, see docs/probe-report.md) to the report channel, never
to stdout, so whatever the user's program prints cannot corrupt them. Events are written as they
happen, so a program that crashes, hangs or calls os._exit still leaves everything observed so far.

What is observed: tf.GradientTape.gradient / jacobian / batch_jacobian, Keras 3 optimizers'
apply / apply_gradients (hence model.fit and custom train_step), variable and layer creation sites,
"Gradients do not exist" warnings, and the exception that ends the program. After --steps gradient
computations the runner ends the program itself (the next gradient computation never starts).
"""

from __future__ import annotations

import argparse
import ast
import atexit
import faulthandler
import functools
import gc
import importlib.abc
import importlib.util
import io
import json
import linecache
import math
import os
import re
import signal
import site
import sys
import sysconfig
import threading
import time
import traceback
import types
import warnings
import weakref
from typing import Any

PROTOCOL = 1
_MAX_GRADIENT_EVENTS = 2000
_MAX_MESSAGE = 4000

# TensorFlow error messages that mean "this is a gradient problem", not an ordinary bug.
_GRADIENT_ERROR_PATTERNS = [
    r"grad_fn must accept keyword argument 'variables'",
    r"custom_gradient function expected to return",
    r"returned too few gradients",
    r"non-persistent GradientTape can only be used to compute one set",
    r"tf\.function only supports singleton tf\.Variables",
    r"could not be lifted out of a tf\.function",
    r"No gradients provided for any variable",
    r"optimizer can only be called for the variables it was originally built with",
    r"Using a symbolic `tf\.Tensor` as a Python `bool`",
    r"OperatorNotAllowedInGraphError",
    r"Cannot convert a symbolic tf\.Tensor",
    r"numpy\(\) is only available when eager execution is enabled",
    r"not 'SymbolicTensor'",
    r"'float' object has no attribute 'dtype'",
    r"not tf\.Tensor or tf\.Variable or ExtensionType",
]
_GRADIENT_ERROR_RE = re.compile("|".join(_GRADIENT_ERROR_PATTERNS))
_GRADIENT_ERROR_TYPES = {"OperatorNotAllowedInGraphError"}
_DEFAULT_TF_VARIABLE_NAME = re.compile(r"^Variable(_\d+)?(:\d+)?$")
_USER_CODE_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
# Real paths of other gradls files on the stack that are never the user's code (the warm worker adds itself).
_INTERNAL_FILES: set = set()
# After a stop request: how long the main thread may take to receive the interrupt, then to finish
# its finally blocks and atexit handlers, before the runner ends the process itself.
_INTERRUPT_GRACE_S = 2.0
_FINISH_GRACE_S = 30.0
# Causes: at most this many diagnosis runs per program, each recording at most this many ops.
_MAX_DIAGNOSES = 3
_MAX_RECORDED_OPS = 50000
_DIAGNOSIS_GIVE_UP_CALLS = 50
# Ops with a registered gradient function that returns None for their input (so the registry
# alone does not say the path is cut there).
# Inside tf.function, a gradient computation is reported through a py_function, which costs far
# more than the step's statistics (~1 ms of CPU per call against ~0.1 ms). A probe of more than
# _OBSERVE_EVERY_STEP_UNTIL steps samples its traced gradient sites instead (see "sampling" in
# _Probe): every step up to _OBSERVE_EVERY_STEP_UNTIL, then every _SAMPLE_EVERY-th step, every step
# with a NaN/Inf (checked in the graph at every run), and the last ones; the steps in between are
# counted, not reported. At most _SAMPLED_SITES sites per program are sampled.
_OBSERVE_EVERY_STEP_UNTIL = 20
_SAMPLE_EVERY = 10
# The update/weight ratio of a sampled update (two reads of its variables around the call) is
# measured at every reported step up to _OBSERVE_EVERY_STEP_UNTIL, then every _RATIO_EVERY-th step
# and from --steps on: those reads cost more on the main thread than the rest of a reported step.
_RATIO_EVERY = 100
_RATIO_SAMPLE = 4096
_SAMPLED_SITES = 8
# A tf.function whose calls are counted by plan (see _Probe.after_function_call) still has its
# counts read at least once every this many calls.
_PLAN_CHECK_EVERY = 10
_NONE_GRADIENT_OPS = {"ArgMax", "ArgMin", "Round", "Floor", "Ceil", "Rint", "TopKV2", "UniqueV2", "Unique"}


class _StepLimitReached(KeyboardInterrupt):
    """Raised in the program's main thread once --steps training steps ran, as Ctrl+C would raise
    KeyboardInterrupt: `finally` blocks and context managers run, `except Exception` does not catch it."""

    def __init__(self, *args):
        super().__init__("gradls probe: stopped after the requested number of steps", *args)
        if _ACTIVE_PROBE is not None and threading.get_ident() == _ACTIVE_PROBE.main_ident:
            _ACTIVE_PROBE.interrupt_delivered = True


_ACTIVE_PROBE = None  # the _Probe of this process, once TensorFlow is imported


class _Channel:
    """The report channel: one JSON object per line, written with a single os.write each."""

    def __init__(self, fd: int):
        self.fd = fd
        self.lock = threading.Lock()
        self.gradient_events = 0
        self.dropped = 0

    def emit(self, event: dict) -> None:
        data = (json.dumps(event, allow_nan=False, default=str) + "\n").encode("utf-8")
        with self.lock:
            view = memoryview(data)
            while view:
                try:
                    written = os.write(self.fd, view)
                except InterruptedError:
                    continue
                except OSError:
                    return  # the launcher went away; nothing useful left to do
                view = view[written:]


# ----------------------------------------------------------------------------------------------
# Where is "the user's code"?


class _Locator:
    """Tells user files from library files and finds the user's frame on the current stack."""

    def __init__(self, main_file: str):
        self.main_file = main_file
        libs = set()
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            p = sysconfig.get_paths().get(key)
            if p:
                libs.add(os.path.realpath(p))
        try:
            libs.update(os.path.realpath(p) for p in site.getsitepackages())
        except Exception:
            pass
        try:
            libs.add(os.path.realpath(site.getusersitepackages()))
        except Exception:
            pass
        for p in sys.path:
            if p and ("site-packages" in p or "dist-packages" in p):
                libs.add(os.path.realpath(p))
        self.lib_dirs = tuple(sorted(d.rstrip(os.sep) + os.sep for d in libs if d and d != os.sep))
        self.runner_file = os.path.realpath(__file__)
        self._cache: dict = {}
        self._real: dict = {}  # realpath is a syscall per path component: cache it
        self.executing_eagerly = lambda: True  # replaced by tf.executing_eagerly once TF is imported

    def real(self, filename: str) -> str:
        hit = self._real.get(filename)
        if hit is None:
            hit = self._real[filename] = os.path.realpath(filename)
        return hit

    def is_user(self, filename: str) -> bool:
        hit = self._cache.get(filename)
        if hit is None:
            hit = self._classify(filename)
            self._cache[filename] = hit
        return hit

    def _classify(self, filename: str) -> bool:
        if not filename or filename.startswith("<") or "__autograph_generated_file" in filename:
            return False
        real = self.real(filename)
        if real == self.runner_file or real in _INTERNAL_FILES:
            return False
        if real == self.main_file:
            return True
        return not real.startswith(self.lib_dirs)

    def user_frame(self, start=None):
        """The innermost Python frame of user code (or None)."""
        f = start if start is not None else sys._getframe(1)
        while f is not None:
            if self.is_user(f.f_code.co_filename):
                return f
            f = f.f_back
        return None

    def user_frame_for_locals(self, start=None):
        """Innermost user frame, or an AutoGraph-generated frame (it keeps the user's local names)."""
        f = start if start is not None else sys._getframe(1)
        while f is not None:
            name = f.f_code.co_filename
            if self.is_user(name) or "__autograph_generated_file" in name:
                return f
            f = f.f_back
        return None

    def user_location(self, tf_stack=None):
        """(file, line, caller) of the innermost user frame.

        Inside AutoGraph-converted code the Python frames point at generated files; TensorFlow's
        own stack extractor maps them back to the user's source, so it is used while tracing
        (eagerly it is ~100x slower than walking Python frames, and there is nothing to map).
        `caller` names the function that made the call when it is library code (e.g. Keras'
        train_step), else None."""
        if tf_stack is not None and not self.executing_eagerly():
            try:
                frames = tf_stack.extract_stack()
                for i in range(len(frames) - 1, -1, -1):
                    fr = frames[i]
                    if self.is_user(fr.filename):
                        caller = None
                        for j in range(len(frames) - 1, i, -1):
                            inner = frames[j]
                            if self.real(inner.filename) != self.runner_file:
                                if not self.is_user(inner.filename):
                                    caller = _module_hint(inner.filename) + "." + inner.name
                                break
                        return self.real(fr.filename), fr.lineno, caller
                found = self._mapped_from_other_threads(tf_stack, frames)
                if found is not None:
                    return found
            except Exception:
                pass
        f: types.FrameType | None = sys._getframe(1)
        caller = None
        while f is not None:
            name = f.f_code.co_filename
            if self.is_user(name):
                return self.real(name), f.f_lineno, caller
            if caller is None and self.real(name) != self.runner_file:
                caller = _module_hint(name) + "." + f.f_code.co_name
            f = f.f_back
        return None, None, caller

    def _mapped_from_other_threads(self, tf_stack, frames):
        """(file, line, None) of the innermost AutoGraph-generated frame that maps to user code
        through another thread's source map, else None.

        tf.distribute runs a replica function in its own thread (MirroredStrategy,
        MultiWorkerMirroredStrategy); nested in a tf.function, that function was converted with the
        tf.function, whose source map TensorFlow keeps for the tracing thread only."""
        stacks = list(tf_stack._source_mapper_stacks.values())
        maps = [stack[-1].get_effective_source_map() for stack in stacks if stack]
        for fr in reversed(frames):
            if "__autograph_generated_file" not in fr.filename:
                continue
            for source_map in maps:
                origin = source_map.get((fr.filename, fr.lineno))
                if origin is not None and self.is_user(origin[0]):
                    return self.real(origin[0]), origin[1], None
        return None

    def location_of_traceback(self, exc: BaseException):
        """(file, line) of the user's line that raised `exc`."""
        message = str(exc)
        # AutoGraph / Keras graph errors list the user's frames after "in user code:".
        if "in user code:" in message:
            tail = message.split("in user code:", 1)[1]
            found: tuple[str | None, int | None] | None = None
            for m in _USER_CODE_FRAME.finditer(tail):
                if self.is_user(m.group(1)):
                    found = (self.real(m.group(1)), int(m.group(2)))
            if found:
                return found
        where: tuple[str | None, int | None] = (None, None)
        for fs in traceback.extract_tb(exc.__traceback__):
            if self.is_user(fs.filename):
                where = (self.real(fs.filename), fs.lineno)
        return where


def _cluster_task(strategy):
    """'worker:1' when `strategy` runs on a cluster of several tasks (TF_CONFIG), else None.
    Under MultiWorkerMirroredStrategy each worker is its own process; replica ids are global."""
    try:
        resolver = getattr(strategy, "cluster_resolver", None)
        task_type, task_id = getattr(resolver, "task_type", None), getattr(resolver, "task_id", None)
        if resolver is None or task_type is None or task_id is None:
            return None
        if sum(len(tasks) for tasks in resolver.cluster_spec().as_dict().values()) < 2:
            return None
        return "%s:%d" % (task_type, int(task_id))
    except Exception:
        return None


def _module_hint(filename: str) -> str:
    """'keras.src.backend.tensorflow.trainer' from a library path (best effort, for display)."""
    parts = os.path.normpath(filename).split(os.sep)
    for anchor in ("site-packages", "dist-packages"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1 :]
            break
    else:
        parts = parts[-1:]
    if parts and parts[-1].endswith(".py"):
        parts[-1] = parts[-1][:-3]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or filename


# ----------------------------------------------------------------------------------------------
# Names and creation sites


_SITE_ATTR = "_gradls_created_at"
_RECORDED_ATTR = "_gradls_error_recorded"  # set on an exception once the probe has reported it
_LAYER_SITE_ATTR = "_gradls_constructed_at"
_LAYER_ATTR = "_gradls_layer"  # on a Keras variable: facts of the layer that owns it (_layer_facts)


def _layer_facts(layer) -> dict:
    """{"name", "class", "activation"} of the Keras layer owning a variable (for dead-unit causes)."""
    activation = getattr(layer, "activation", None)
    act_name = getattr(activation, "__name__", None) if activation is not None else None
    return {"name": getattr(layer, "name", None), "class": type(layer).__name__, "activation": act_name}


def _set_private(obj, attr, value) -> None:
    # object.__setattr__ bypasses Keras' attribute tracking (it would wrap tuples/dicts).
    try:
        object.__setattr__(obj, attr, value)
    except Exception:
        pass


_assign_cache: dict = {}


def _function_assignments(filename: str):
    """{name: sorted [(line, scope_start, scope_end)]} for simple assignments in a file."""
    hit = _assign_cache.get(filename)
    if hit is not None:
        return hit
    table: dict = {}
    try:
        with open(filename, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), filename)
    except Exception:
        _assign_cache[filename] = table
        return table

    def add(target, line, scope):
        if isinstance(target, ast.Name):
            table.setdefault(target.id, []).append((line, scope))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                add(elt, line, scope)
        elif isinstance(target, ast.Starred):
            add(target.value, line, scope)

    def walk(node, scope):
        for child in ast.iter_child_nodes(node):
            child_scope = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                child_scope = (child.lineno, getattr(child, "end_lineno", child.lineno))
            if isinstance(child, ast.Assign):
                for t in child.targets:
                    add(t, child.lineno, scope)
            elif isinstance(child, (ast.AnnAssign, ast.AugAssign)):
                add(child.target, child.lineno, scope)
            elif isinstance(child, ast.NamedExpr):
                add(child.target, child.lineno, scope)
            elif isinstance(child, (ast.For, ast.AsyncFor)):
                add(child.target, child.lineno, scope)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                add(child.optional_vars, child.context_expr.lineno, scope)
            walk(child, child_scope)

    walk(tree, (0, 10**9))
    _assign_cache[filename] = table
    return table


def _assignment_line(filename: str, name: str, before_line: int):
    """The last line before `before_line`, in the same function, that assigns `name`."""
    best = None
    innermost = None
    for line, scope in _function_assignments(filename).get(name, []):
        if line <= before_line and scope[0] <= before_line <= scope[1]:
            # Prefer the innermost enclosing scope, then the latest line in it.
            if innermost is None or scope[0] > innermost[0]:
                innermost, best = scope, line
            elif scope == innermost and line > best:
                best = line
    return best


def _assignment_target_on_line(filename: str, line: int):
    """'self.w' from a line like `self.w = tf.Variable(...)` (display name for unnamed variables)."""
    text = linecache.getline(filename, line)
    m = re.match(r"\s*([A-Za-z_][\w.]*)\s*(?::[^=]+)?=(?!=)", text)
    return m.group(1) if m else None


def _python_name(obj, frame):
    """The name `obj` is bound to in the caller's frame: a local, or an attribute of `self`."""
    if frame is None:
        return None
    try:
        local_vars = frame.f_locals
    except Exception:
        return None
    for k, v in local_vars.items():
        if v is obj and not k.startswith(("ag__", "__")):
            return k
    this = local_vars.get("self")
    if this is not None:
        try:
            attrs = vars(this)
        except TypeError:
            attrs = {}
        for k, v in attrs.items():
            if v is obj:
                return "self." + k
    return None


# ----------------------------------------------------------------------------------------------
# The probe


class _Probe:
    def __init__(self, channel: _Channel, locator: _Locator, max_steps: int, tf, keras):
        self.channel = channel
        self.loc = locator
        self.max_steps = max_steps
        self.tf = tf
        self.keras = keras
        self.steps = 0  # the highest training step observed so far
        # Training steps, per replica: {replica: {"current", "applied", "known", "tapes"}} (see _advance).
        self.replicas: dict = {}
        # "worker:1": this process's task in a multi-worker cluster (MultiWorkerMirroredStrategy), else None.
        self.worker: str | None = None
        self.any_update = False
        self.steps_done = False
        self.optimizer_keys: dict = {}
        self.xla_updates: list = []  # [optimizer, key, replica, site, described, present, iterations seen]
        self.xla_sites: list = []  # traced inside XLA, reported per update or once at the end
        self.main_ident = threading.main_thread().ident
        self.stop_requested = False
        self.interrupt_delivered = False
        self.local = threading.local()  # .depth: reentrancy guard (jacobian calls gradient, ...)
        self.lock = threading.RLock()
        self.site_ids: dict = {}
        self.observed_device = None
        # Exceptions already reported that take no attribute (most carry _RECORDED_ATTR instead), kept alive:
        # keyed by id() alone, a freed exception's id is reused by a later one, which was then taken for
        # reported and lost (a fresh-clone CI run lost one that way).
        self.recorded_errors: dict[int, BaseException] = {}
        # Causes (see _Diagnosis): armed after a None or a NaN/Inf is first seen at a site.
        # Sampling (see _OBSERVE_EVERY_STEP_UNTIL): variables made eagerly before the first
        # tf.function call that may trace a gradient site; the site keys traced so far.
        self.sampling: Any = None
        self.graph_site_keys: set = set()
        self.diagnosis: Any = None
        self.diagnosed: set = set()
        self.diagnosis_runs = 0
        try:
            from tensorflow.python.util import tf_stack

            self.tf_stack = tf_stack
        except Exception:
            self.tf_stack = None
        try:
            from tensorflow.python.ops import gen_resource_variable_ops

            self.read_op = gen_resource_variable_ops.read_variable_op  # 4x cheaper than Variable.numpy()
        except Exception:
            self.read_op = None
        try:
            from tensorflow.python.ops import control_flow_util

            self.control_flow_util = control_flow_util
        except Exception:
            self.control_flow_util = None

    # -- bookkeeping ---------------------------------------------------------------------------

    def _depth(self) -> int:
        return getattr(self.local, "depth", 0)

    def _enter(self):
        self.local.depth = self._depth() + 1

    def _leave(self):
        self.local.depth = self._depth() - 1

    def request_stop(self, raise_here: bool = True) -> None:
        """End the program after its last allowed step the way Ctrl+C does: KeyboardInterrupt
        (_StepLimitReached) in the main thread, so its finally blocks and atexit handlers run.

        raise_here=False is for callbacks inside a running graph (py_function), where an exception
        would become a TensorFlow error: the patched tf.function call raises once the graph returns.
        A watchdog interrupts the main thread if that never happens, and ends the process if the
        program outlives the grace period (a thread blocked in native code, an ignored interrupt)."""
        with self.lock:
            first = not self.stop_requested
            self.stop_requested = True
        if first:
            threading.Thread(target=self._enforce_stop, name="gradls-probe-stop", daemon=True).start()
        if raise_here:
            if threading.get_ident() != self.main_ident:
                self._interrupt_main()
            raise _StepLimitReached()

    def _interrupt_main(self) -> None:
        try:
            import ctypes

            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.main_ident or 0), ctypes.py_object(_StepLimitReached)
            )
        except Exception:
            pass

    def _enforce_stop(self) -> None:
        waited = 0.0
        while not self.interrupt_delivered and waited < _INTERRUPT_GRACE_S:
            time.sleep(0.05)
            waited += 0.05
        if not self.interrupt_delivered:
            self._interrupt_main()
        time.sleep(_FINISH_GRACE_S)
        _finish(self.channel, "steps", 0, self.steps, self.channel.dropped, run_exit_handlers=False)

    # -- training steps --------------------------------------------------------------------------
    #
    # A training step is one optimizer update. Events are tagged with a role: "update" (an optimizer
    # apply, or a tape whose gradients an optimizer applied as they were), "bare" (a tape not known
    # to feed an update yet: it belongs to the step of the next update) or "attached" (the inner
    # optimizer's apply under a loss-scale optimizer: the same step). Within a step each optimizer
    # updates once: an optimizer updating again opens the next step (a GAN's discriminator and
    # generator updates are one step). Until the first update, tape computations count as steps
    # (programs that never use an optimizer). The report relabels the events the same way.

    def _replica(self):
        """This replica's index under a tf.distribute strategy with several replicas, else None."""
        try:
            ctx = self.tf.distribute.get_replica_context()
            if ctx is None:
                return None
            if self.worker is None:
                self.worker = _cluster_task(ctx.strategy)
            if ctx.num_replicas_in_sync < 2:
                return None
            rid = self.tf.get_static_value(ctx.replica_id_in_sync_group)
            return None if rid is None else int(rid)
        except Exception:
            return None

    def _state(self, replica):
        st = self.replicas.get(replica)
        if st is None:
            st = self.replicas[replica] = {"current": 1, "applied": set(), "known": set(), "tapes": 0}
        return st

    def optimizer_key(self, opt) -> str:
        key = self.optimizer_keys.get(id(opt))
        if key is None:
            key = self.optimizer_keys[id(opt)] = "%s#%d" % (
                getattr(opt, "name", None) or type(opt).__name__,
                len(self.optimizer_keys) + 1,
            )
        return key

    def before_step_event(self, replica) -> None:
        """Eagerly, before a tape or update starts: stop the program if it would begin step N+1."""
        with self.lock:
            st = self._state(replica)
            over = self.steps_done or (not self.any_update and st["tapes"] >= self.max_steps)
        if over:
            self.request_stop()

    def _advance(self, replica, role, update, in_graph):
        """The step label of one event, or None: it would belong to step N+1, so the program is
        stopped instead (raised here eagerly; after the running graph returns otherwise)."""
        with self.lock:
            st = self._state(replica)
            over = done = False
            label = None
            if role == "update":
                if update in st["applied"]:
                    if st["current"] >= self.max_steps:
                        over = True
                    else:
                        st["current"] += 1
                        st["applied"] = set()
                if not over:
                    self.any_update = True
                    st["applied"].add(update)
                    st["known"].add(update)
                    label = st["current"]
                    done = st["current"] >= self.max_steps and st["applied"] >= st["known"]
            elif role == "attached":
                label = st["current"]
            elif not self.any_update:
                if st["tapes"] >= self.max_steps:
                    over = True
                else:
                    st["tapes"] += 1
                    label = st["tapes"]
                    done = st["tapes"] >= self.max_steps and in_graph
            elif self.steps_done:
                over = True
            else:
                label = st["current"] + (1 if st["applied"] else 0)
            if label is not None:
                self.steps = max(self.steps, label)
            if done:
                self.steps_done = True
        if over:
            self.request_stop(raise_here=not in_graph)
            return None
        if done and in_graph:
            self.request_stop(raise_here=False)
        return label

    def xla_iterations(self) -> None:
        """After a tf.function call: count the updates XLA-compiled steps made (py_function cannot
        run inside XLA) from the optimizer's iterations variable; report each with what tracing knew."""
        for entry in self.xla_updates:
            opt, key, replica, site, described, present, seen = entry
            try:
                now = int(opt.iterations.numpy())
            except Exception:
                continue
            while seen < now:
                seen += 1
                label = self._advance(replica, "update", key, True)
                if label is None:
                    break
                self._emit_gradient(site, described, present, None, label, "xla", replica, "update", key)
            entry[6] = now

    def record_error(self, exc: BaseException, during: str, location=None) -> None:
        if getattr(exc, _RECORDED_ATTR, False) or self.recorded_errors.get(id(exc)) is exc:
            return
        try:
            setattr(exc, _RECORDED_ATTR, True)
        except (AttributeError, TypeError):
            self.recorded_errors[id(exc)] = exc
        file, line = self.loc.location_of_traceback(exc)
        if file is None and location is not None:
            file, line = location[0], location[1]
        message = str(exc)
        etype = type(exc).__name__
        category = "gradient" if (etype in _GRADIENT_ERROR_TYPES or _GRADIENT_ERROR_RE.search(message)) else "program"
        self.channel.emit(
            {
                "event": "error",
                "type": etype,
                "message": message[:_MAX_MESSAGE],
                "file": file,
                "line": line,
                "category": category,
                "during": during,
                "step": self.steps,
            }
        )

    # -- describing sources ---------------------------------------------------------------------

    def _created_at(self, src, name_frame, call_line):
        site = getattr(src, _SITE_ATTR, None)
        if site is None and self.keras is not None:
            inner = getattr(src, "_value", None)  # a Keras variable's tf.Variable
            site = getattr(inner, _SITE_ATTR, None)
        if site is not None:
            return {"file": site[0], "line": site[1], "kind": site[2]}
        # A tensor: point at the line that assigned the name it is passed under.
        pyname = _python_name(src, name_frame)
        if pyname and "." not in pyname and call_line is not None:
            file, line = call_line
            if file:
                at = _assignment_line(file, pyname, line)
                if at is not None:
                    return {"file": file, "line": at, "kind": "assignment"}
        return None

    def _describe(self, src, name_frame, call_line, index):
        tf = self.tf
        name = None
        keras_var = self.keras is not None and isinstance(src, self.keras.Variable)
        if keras_var:
            name = getattr(src, "path", None) or getattr(src, "name", None)
        elif isinstance(src, tf.Variable):
            raw = src.name
            if not _DEFAULT_TF_VARIABLE_NAME.match(raw):
                name = raw[:-2] if raw.endswith(":0") else raw
        created = self._created_at(src, name_frame, call_line)
        if name is None:
            name = _python_name(src, name_frame)
        if name is None and created and created.get("kind") != "assignment":
            name = _assignment_target_on_line(created["file"], created["line"])
        if name is None:
            name = getattr(src, "name", None) if isinstance(src, tf.Variable) else None
            name = name or "source[%d]" % index
        shape = None
        try:
            dims = src.shape
            shape = None if dims is None else [None if d is None else int(d) for d in list(dims)]
        except Exception:
            pass
        dtype = None
        try:
            dtype = str(getattr(src.dtype, "name", src.dtype))
        except Exception:
            pass
        kind = "keras.Variable" if keras_var else ("tf.Variable" if isinstance(src, tf.Variable) else "tensor")
        out = {"name": name, "kind": kind, "shape": shape, "dtype": dtype, "created_at": created}
        layer = getattr(src, _LAYER_ATTR, None) if keras_var else None
        if layer is not None:
            out["layer"] = layer
        return out

    # -- gradient statistics -------------------------------------------------------------------

    def _stats(self, grads):
        """(one flat float32 tensor, its layout) for k gradients: k halved sums of squares, k maxima,
        k minima, then the count of exact zeros of each vector gradient (a bias: its dead units);
        layout[i] is gradient i's place among those counts, -1 when not counted. Eager mode syncs
        once, graph mode ships or stores one tensor (see _rows for what the values mean). Each
        statistic is one reduction without a temporary the size of the gradient (tf.nn.l2_loss, not
        sum(g * g); max and min, not max(abs(g))), the zero counts of all vectors are one segment
        sum and the statistics one stack: in a traced step every scheduled op costs more than its
        math on small gradients, and every pass over a large one counts."""
        values = self._stat_values(grads)
        return self._assemble_stats(values, self._halves(values)), self._layout(values)

    def _stat_values(self, grads):
        """Per gradient, what _stats reduces: its values as float32, None when it is not floating
        point, False when it is empty."""
        tf = self.tf
        out: list = []
        for g in grads:
            v = g.values if isinstance(g, tf.IndexedSlices) else g
            if not isinstance(v, (tf.Tensor, tf.Variable)):
                v = tf.convert_to_tensor(v)
            if v.dtype.is_complex:
                v = tf.abs(v)
            if not v.dtype.is_floating:
                out.append(None)
                continue
            if v.dtype != tf.float32:
                v = tf.cast(v, tf.float32)  # float16 squares overflow early; float64 fits after the sum
            out.append(False if v.shape.rank != 0 and v.shape.num_elements() == 0 else v)
        return out

    def _halves(self, values) -> list:
        """The halved sums of squares (one pass over each gradient: NaN with a NaN, Inf with an Inf)."""
        return [self.tf.nn.l2_loss(v) if v is not None and v is not False else 0.0 for v in values]

    @staticmethod
    def _layout(values) -> list:
        layout: list = []
        vectors = 0
        for v in values:
            counted = v is not None and v is not False and v.shape.rank == 1 and v.shape.num_elements() is not None
            layout.append(vectors if counted else -1)
            vectors += 1 if counted else 0
        return layout

    @staticmethod
    def _stats_size(layout) -> int:
        return 3 * len(layout) + sum(1 for place in layout if place >= 0)

    def _assemble_stats(self, values, halves):
        """_stats' flat tensor from _stat_values and _halves."""
        tf = self.tf
        highs: list = []
        lows: list = []
        vectors: list = []
        for v, place in zip(values, self._layout(values)):
            if v is None:
                highs.append(-1.0)  # max < 0 < min: not a float gradient
                lows.append(1.0)
            elif v is False:
                highs.append(0.0)
                lows.append(0.0)
            else:
                highs.append(tf.reduce_max(v))
                lows.append(tf.reduce_min(v))
                if place >= 0:
                    vectors.append(v)
        if not values:
            return tf.zeros([0], tf.float32)
        flat = tf.stack(list(halves) + highs + lows)
        if len(vectors) == 1:
            zeros = tf.reduce_sum(tf.cast(tf.equal(vectors[0], 0.0), tf.float32), keepdims=True)
            flat = tf.concat([flat, zeros], 0)
        elif vectors:
            ids = [i for i, v in enumerate(vectors) for _ in range(v.shape.num_elements())]
            joined = tf.concat(vectors, 0)
            zeros = tf.math.unsorted_segment_sum(
                tf.cast(tf.equal(joined, 0.0), tf.float32), tf.constant(ids, tf.int32), len(vectors)
            )
            flat = tf.concat([flat, zeros], 0)
        return flat

    @staticmethod
    def _rows(flat, layout):
        """_stats' values as (sum of squares, max |g|, zero count) rows, as _eager_stats makes them:
        a NaN makes the sum NaN, an Inf makes the max Inf, all zeros make the max 0 (see _status);
        max < 0 < min marks a gradient that is not floating point (max |g| -1)."""
        k = len(layout)
        rows = []
        for i in range(k):
            half, high, low = float(flat[i]), float(flat[k + i]), float(flat[2 * k + i])
            zeros = float(flat[3 * k + layout[i]]) if layout[i] >= 0 else -1.0
            if high < 0 < low:
                rows.append((0.0, -1.0, zeros))
            elif math.isnan(high) or math.isnan(low):
                rows.append((float("nan"), float("nan"), zeros))
            else:
                rows.append((2.0 * half, max(high, -low), zeros))
        return rows

    def _eager_stats(self, grads):
        """_stats for eager gradients: in NumPy when they live on the CPU (no copy, no op dispatch:
        several times cheaper than four TensorFlow ops per gradient), else on their device."""
        tf = self.tf
        values = [g.values if isinstance(g, tf.IndexedSlices) else g for g in grads]
        if not all(isinstance(v, tf.Tensor) and v.device.endswith("CPU:0") for v in values):
            flat, layout = self._stats(grads)
            return self._rows(flat.numpy(), layout)
        import numpy as np

        rows = []
        for v in values:
            if not (v.dtype.is_floating or v.dtype.is_complex):
                rows.append((0.0, -1.0, -1.0))
                continue
            a = v.numpy().ravel()
            if v.dtype.is_complex:
                a = np.abs(a)  # real values: max and -min below, without a copy of the gradient
            if a.dtype != np.float32 and a.dtype != np.float64:
                a = a.astype(np.float32)
            if a.size == 0:
                rows.append((0.0, 0.0, 0.0))
                continue
            with np.errstate(all="ignore"):
                zeros = float(a.size - np.count_nonzero(a)) if len(v.shape) == 1 else -1.0
                high, low = float(a.max()), float(a.min())
                top = high if math.isnan(high) or math.isnan(low) else max(high, -low)
                rows.append((float(np.dot(a, a)), top, zeros))
        return rows

    @staticmethod
    def _status(row):
        sumsq, maxabs = float(row[0]), float(row[1])
        if maxabs < 0:
            return "ok", None
        if math.isnan(sumsq) or math.isnan(maxabs):
            return "nan", None
        if math.isinf(maxabs):
            return "inf", None
        if maxabs == 0.0:
            return "zero", 0.0
        norm = math.sqrt(sumsq)
        return "ok", (norm if math.isfinite(norm) else None)  # None: finite entries, norm overflows float32

    def _in_xla(self) -> bool:
        if self.control_flow_util is None:
            return False
        try:
            graph = self.tf.compat.v1.get_default_graph()
            return bool(self.control_flow_util.GraphOrParentsInXlaContext(graph))
        except Exception:
            return False

    # -- the observation itself ----------------------------------------------------------------

    def observe(self, kind, sources, grads, location, name_frame, role="bare", update=None, scaled=False):
        """Record one gradient computation. Eagerly: now. In a graph: a py_function that reports
        each time the graph runs (it is stateful, so tf.function keeps it without outputs).
        Returns the site: an optimizer that applies these gradients as they are fills in its
        "update" while tracing, and the py_function reads it when the graph runs."""
        tf = self.tf
        flat_sources = tf.nest.flatten(sources)
        flat_grads = tf.nest.flatten(grads) if grads is not None else [None] * len(flat_sources)
        if len(flat_grads) != len(flat_sources):
            flat_grads = (list(flat_grads) + [None] * len(flat_sources))[: len(flat_sources)]
        call_line = (location[0], location[1])
        described = [self._describe(s, name_frame, call_line, i) for i, s in enumerate(flat_sources)]
        present = [i for i, g in enumerate(flat_grads) if g is not None]
        site = {
            "kind": kind,
            "file": location[0],
            "line": location[1],
            "caller": location[2],
            "role": role,
            "update": update,
            "scaled": scaled,
        }
        replica = self._replica()
        eager = tf.executing_eagerly()
        if eager:
            step = self._advance(replica, role, update, False)
            if step is None:
                return site
            if self.diagnosis is not None and self.diagnosis["active"]:
                self._diagnose(site, flat_sources, flat_grads, described)
            rows = self._eager_stats([flat_grads[i] for i in present]) if present else []
            if self.observed_device is None and present:
                device = getattr(flat_grads[present[0]], "device", None)
                if device:
                    self.observed_device = device
                    self.channel.emit({"event": "device", "device": device})
            self._emit_gradient(site, described, present, rows, step, "eager", replica)
            return site
        if self._in_xla():
            # py_function cannot run inside XLA: what tracing knows (None-ness) is reported per
            # update counted by xla_iterations, or once at the end if no optimizer applies it.
            site["xla"] = (described, present, replica)
            self.xla_sites.append(site)
            return site
        if len(present) < len(flat_grads) and role != "attached":
            try:
                self._graph_none_causes(site, flat_sources, flat_grads, described)
            except Exception as exc:
                self.internal_error(exc)

        values = self._stat_values([flat_grads[i] for i in present])
        halves = self._halves(values)
        layout = self._layout(values)

        def on_run(values, *_after, _site=site, _described=described, _present=present, _replica=replica):
            try:
                role = "update" if _site["update"] is not None else _site["role"]
                step = self._advance(_replica, role, _site["update"], True)
                if step is not None:
                    self._emit_gradient(
                        _site, _described, _present, self._rows(values.numpy(), layout), step, "graph", _replica, role
                    )
            except Exception as exc:  # an error here would surface as the user's TensorFlow error
                self.internal_error(exc)
            return 0.0

        key = (kind, location[0], location[1])
        self.graph_site_keys.add(key)
        if self._sampling_allowed(replica):
            entry = self._sampled_entry(site, key, flat_sources, described, present, layout)
            if entry is not None:
                self.local.sampled_site = site
                return self._observe_sampled(site, entry, values, halves)
        self.force_every_step()
        stats = self._assemble_stats(values, halves)
        # The inner optimizer's apply under a loss-scale optimizer takes the tape's report as an
        # input: without that data dependency the graph may run it first (it sits in a tf.cond).
        after = getattr(self.local, "update_token", None) if role == "attached" else None
        inputs = [stats] if after is None else [stats, after]
        site["token"] = tf.py_function(on_run, inputs, Tout=tf.float32)
        return site

    # -- sampling -------------------------------------------------------------------------------
    #
    # The graph of a sampled site holds no callback (a py_function costs ~1 ms of CPU per run).
    # Every run computes one reduction per gradient (tf.nn.l2_loss: NaN with a NaN, Inf with an
    # Inf) and adds [1, their sum * 0] to the site's two slots of ONE counter variable shared by all
    # sampled sites: the first counts the runs, the second turns NaN from the first run with a
    # NaN/Inf (0 * Inf = NaN) until Python resets it. A tf.cond computes the rest of the statistics
    # (max, min, zero counts) and writes them, with the run's number, to the site's "stats" variable
    # only when the run is due (a flag Python sets before a tf.function call when the coming step is
    # due; always set once a call ran a site more than once) or held a NaN/Inf; such a run also
    # adds max * 0 and min * 0 to the site's "flags" (which gradient it was). So every run is
    # checked for NaN/Inf in the graph, an unsampled run costs one pass over each gradient, and
    # Python reads the small shared counter once after each tf.function call. Every site traced
    # after the first eager tf.function call is sampled (a GAN's two tapes, a gradient penalty's
    # inner tape, a loss-scaled tape and the inner optimizer's apply), up to _SAMPLED_SITES of
    # them. After a call, the new runs of each site are counted in the order the sites were traced
    # (their training steps advance and the stop after --steps lands as before); a site's last run
    # in the call is reported when its step is due (the first _OBSERVE_EVERY_STEP_UNTIL steps,
    # every _SAMPLE_EVERY-th, and every step from --steps on) or when its counter saw a NaN/Inf; the
    # other runs are counted, not reported. The update/weight ratio of a reported update is
    # measured from the weights read before and after that call.

    def prepare_sampling(self) -> None:
        """Eagerly, before a tf.function call: make the sampling variables once (a variable made
        while tracing would break the user's function), unless a distribution strategy is in scope
        or a gradient site was traced already (outside a call: it reports through a callback)."""
        if self.sampling is not None or self.max_steps <= _OBSERVE_EVERY_STEP_UNTIL:
            return
        tf = self.tf
        if tf.distribute.has_strategy():
            return
        if self.graph_site_keys:
            self.sampling = False
            return
        from tensorflow.python.ops import gen_resource_variable_ops

        pool = []
        for i in range(_SAMPLED_SITES):
            stats = tf.Variable(
                tf.zeros([0]), shape=tf.TensorShape(None), trainable=False, name="gradls_probe_stats_%d" % i
            )
            flags = tf.Variable(
                tf.zeros([0]), shape=tf.TensorShape(None), trainable=False, name="gradls_probe_flags_%d" % i
            )
            pool.append((i, stats, flags))
        self.sampling = {
            "pool": pool,  # (slot, stats, flags) not yet given to a site
            "counter": tf.Variable(tf.zeros([2 * _SAMPLED_SITES]), trainable=False, name="gradls_probe_counter"),
            "due": tf.Variable(True, trainable=False, name="gradls_probe_due"),
            "due_now": True,  # the due flag's value
            "every_run": False,  # a call ran a site several times: statistics at every run
            "entries": [],  # sampled sites in trace order (see _sampled_entry)
            "forced": False,  # a site that cannot be sampled was traced: every run is reported
            "pending": [],  # counted, unreported runs since the last report: (optimizer key or None, step)
            "weights": {},  # id(entry) -> weight samples read before a call whose run is due
            "read": gen_resource_variable_ops.read_variable_op,  # 4x cheaper than Variable.numpy()
            "scatter_add": gen_resource_variable_ops.resource_scatter_add,
            "scatter_update": gen_resource_variable_ops.resource_scatter_update,
            "announced": False,
            "traced": 0,  # sampled site traces so far (see the entries' "position")
            "assign": gen_resource_variable_ops.assign_variable_op,  # the due flag, without Variable.assign's checks
            "flag_values": (tf.constant(False), tf.constant(True)),
            # Per tf.function (see _RunPlan): which sampled sites one call runs, learned from reads.
            "plans": weakref.WeakKeyDictionary(),
            "in_flight": 0,  # tf.function calls running now (another thread's call: counts must be read)
            "started": 0,  # tf.function calls started so far (one that overlapped another: counts read)
            "nested": 0,  # tf.function calls made while tracing (another function's graph reused: no plan)
            "alarm": False,  # set from the graph (a py_function) by a run that held a NaN/Inf
            "planned": [0.0] * (2 * _SAMPLED_SITES),  # the counts a plan expects (NaN/Inf slots stay 0)
        }

    def _sampling_allowed(self, replica) -> bool:
        smp = self.sampling
        return bool(smp) and not smp["forced"] and replica is None

    def force_every_step(self) -> None:
        """A site that cannot be sampled (replicas, no variables left): no new site is sampled, and
        the sampled ones report every run from now on (after each call, its last run)."""
        smp = self.sampling
        if smp and not smp["forced"]:
            smp["forced"] = True

    def _sampled_entry(self, site, key, flat_sources, described, present, layout):
        """The sampling entry of a site being traced: the one of an earlier trace of the same line
        with the same variables (a retrace), else a new one with the next free slot (None when none
        is left)."""
        tf = self.tf
        smp = self.sampling
        variables = [src if isinstance(src, tf.Variable) or self._is_keras_var(src) else None for src in flat_sources]
        ids = tuple(id(v) for v in variables) if all(v is not None for v in variables) else None
        smp["traced"] += 1
        straight = self._traced_at_top_level()
        for entry in smp["entries"]:
            if ids is not None and entry["key"] == key and entry["ids"] == ids and entry["present"] == present:
                entry["site"], entry["described"] = site, described  # the newest trace's (same facts)
                entry["position"] = smp["traced"]
                entry["straight"] = entry["straight"] and straight
                return entry
        if not smp["pool"]:
            return None
        slot, stored, flags = smp["pool"].pop(0)
        size = self._stats_size(layout)
        with tf.init_scope():  # eagerly, outside the function being traced: shaped for this site
            stored.assign(tf.zeros([size + 1]))
            flags.assign(tf.zeros([2 * len(layout)]))
        entry = {
            "key": key,
            "ids": ids,
            "site": site,
            "described": described,
            "present": present,
            "variables": variables,
            "slot": slot,
            "stats": stored,
            "flags": flags,
            "layout": layout,
            "seen": 0,  # runs accounted for in Python (reported or counted)
            # Its place in the newest trace that holds it: runs of one call are counted in this
            # order (a function traced twice, e.g. once more after creating its variables, makes
            # new entries for its tensor sources after the variables' ones).
            "position": smp["traced"],
            # Every trace of it was in the top-level graph of the function being traced: one run per
            # call of that concrete function (not a tf.cond branch, a loop body or a nested function).
            "straight": straight,
        }
        smp["entries"].append(entry)
        if not smp["announced"]:
            smp["announced"] = True
            self.channel.emit(
                {
                    "event": "sampling",
                    "every_step_until": _OBSERVE_EVERY_STEP_UNTIL,
                    "every": _SAMPLE_EVERY,
                    "from_step": self.max_steps,
                }
            )
        return entry

    def _traced_at_top_level(self) -> bool:
        """The graph being built is the top-level graph of a tf.function traced from eager code
        (not a tf.cond branch, a loop body or a nested tf.function's graph)."""
        try:
            from tensorflow.python.framework.func_graph import FuncGraph

            graph = self.tf.compat.v1.get_default_graph()
            return isinstance(graph, FuncGraph) and not isinstance(getattr(graph, "outer_graph", None), FuncGraph)
        except Exception:
            return False

    def _raise_alarm(self):
        """Called from the graph (a py_function in the branch a NaN/Inf takes): this call's counts are read."""
        self.sampling["alarm"] = True
        return 0.0

    def _observe_sampled(self, site, entry, values, halves):
        tf = self.tf
        smp = self.sampling
        counter, stored, flags, slot = smp["counter"], entry["stats"], entry["flags"], entry["slot"]
        k = len(values)
        summed = [h for h in halves if isinstance(h, tf.Tensor)]
        check = tf.add_n(summed) if len(summed) > 1 else summed[0] if summed else tf.constant(0.0)
        bad = check * 0.0  # NaN when a gradient holds a NaN or an Inf
        smp["scatter_add"](counter.handle, tf.constant([2 * slot, 2 * slot + 1]), tf.stack([1.0, bad]))

        def write():
            flat = self._assemble_stats(values, halves)
            run = smp["read"](counter.handle, tf.float32)[2 * slot : 2 * slot + 1]
            stored.assign(tf.concat([run, flat], 0), read_value=False)
            if k:
                flags.assign_add(flat[k : 3 * k] * 0.0, read_value=False)
            # A NaN/Inf at a run Python does not read the counts after (see _RunPlan): the callback
            # tells it to. Nested in this branch: an ordinary run computes none of it.
            tf.cond(
                tf.not_equal(bad, 0.0),
                lambda: tf.py_function(self._raise_alarm, [], Tout=tf.float32),
                lambda: tf.constant(0.0),
            )
            return tf.constant(True)

        due = smp["read"](smp["due"].handle, tf.bool)
        tf.cond(tf.logical_or(due, tf.not_equal(bad, 0.0)), write, lambda: tf.constant(False))
        return site

    def _is_keras_var(self, obj) -> bool:
        return self.keras is not None and isinstance(obj, self.keras.Variable)

    def _due(self, step: int) -> bool:
        if self.sampling.get("forced"):  # a site that reports every step: so do the sampled ones
            return True
        return step <= _OBSERVE_EVERY_STEP_UNTIL or step % _SAMPLE_EVERY == 0 or step >= self.max_steps

    def _ratio_due(self, step: int) -> bool:
        if self.sampling.get("forced"):
            return True
        return step <= _OBSERVE_EVERY_STEP_UNTIL or step % _RATIO_EVERY == 0 or step >= self.max_steps

    def _next_step(self, update) -> int:
        """The step label the next update by `update` would get (see _advance)."""
        with self.lock:
            st = self._state(None)
            if not self.any_update:
                return st["tapes"] + 1
            return st["current"] + (1 if update in st["applied"] else 0)

    def before_function_call(self, fn) -> tuple:
        """Eagerly, before a tf.function call: set the due flag for the coming step (statistics
        computed in the graph), and for each sampled update whose next step is due read its
        variables (for the update/weight ratio). Returns what after_function_call needs."""
        smp = self.sampling
        smp["weights"] = {}
        due = smp["every_run"] or smp["forced"]
        for entry in smp["entries"]:
            update = entry["site"]["update"]
            if update is None:
                continue
            step = self._next_step(update)
            due = due or self._due(step)
            if self._ratio_due(step):
                smp["weights"][id(entry)] = [None if v is None else self._weight_sample(v) for v in entry["variables"]]
        if not due and not any(entry["site"]["update"] is not None for entry in smp["entries"]):
            due = self._due(self._next_step(None))  # no update yet: tape computations are the steps
        if due != smp["due_now"]:
            smp["assign"](smp["due"].handle, smp["flag_values"][due])
            smp["due_now"] = due
        with self.lock:
            smp["in_flight"] += 1
            smp["started"] += 1
            alone = smp["in_flight"] == 1 and not self._runs_eagerly()
            return (self._tracing_count(fn), due, alone, smp["started"], smp["traced"], smp["nested"])

    # -- which sites a call runs ----------------------------------------------------------------
    #
    # Reading the counter after a call costs more on the main thread than the rest of an
    # unsampled step's bookkeeping (~0.2 ms), so a tf.function gets a plan: the sampled sites one
    # call of it runs, learned from the counts read after its first call. A plan is made only
    # when that call made the function's first trace(s), alone (no other call in flight, not run
    # eagerly), every site traced in it sits in the trace's top-level graph (not a tf.cond
    # branch, a loop body or a nested function: each runs once per call of that concrete
    # function), the trace called no other tf.function (whose graph, traced before, it would
    # reuse), and every site that ran was traced in that call, once. A later call of the function
    # that traces nothing, runs alone, returns normally, is not due and raised no alarm (a
    # NaN/Inf: the py_function in the statistics branch) counts the plan's sites one run each,
    # without a read. Every other call reads the counts, as before; a later trace or read that
    # disagrees with the plan (or a call that raised) drops it for good, and a planned function
    # is read at least every _PLAN_CHECK_EVERY calls.

    def _tracing_count(self, fn) -> int:
        try:
            return int(fn.experimental_get_tracing_count())
        except Exception:
            return -1

    def _runs_eagerly(self) -> bool:
        """A call that runs its Python eagerly (run_functions_eagerly, the NaN origin's recording)."""
        d = self.diagnosis
        try:
            return bool(self.tf.config.functions_run_eagerly()) or (d is not None and d["active"])
        except Exception:
            return True

    def function_call_failed(self, fn) -> None:
        """The call raised (some of its sites may have run): its function's counts are read from now on."""
        smp = self.sampling
        with self.lock:
            smp["in_flight"] -= 1
            try:
                smp["plans"][fn] = None
            except TypeError:
                pass

    def after_function_call(self, fn, ticket) -> None:
        """Eagerly, after a tf.function call: count each sampled site's new runs, in trace order,
        and report a site's last run when its step is due or its counter saw a NaN/Inf. Under the
        lock: tf.functions called from several threads must not count a run twice."""
        with self.lock:
            smp = self.sampling
            smp["in_flight"] -= 1
            count_before, due, alone, started, traced, nested = ticket
            alone = alone and smp["in_flight"] == 0 and smp["started"] == started and not self._runs_eagerly()
            count = self._tracing_count(fn)
            try:
                plan = smp["plans"].get(fn, False)
            except TypeError:  # not weakly referenceable: always read
                plan, fn = None, None
            if (
                plan
                and alone
                and not smp["alarm"]
                and count == count_before == plan["tracing_count"]
                and plan["unread"] < _PLAN_CHECK_EVERY
                # a function that runs no sampled site has nothing to report, due or not
                and (not plan["runs"] or not (due or smp["every_run"] or smp["forced"]))
            ):
                plan["unread"] += 1
                if plan["runs"]:
                    counts = smp["planned"]
                    for entry in smp["entries"]:
                        counts[2 * entry["slot"]] = float(entry["seen"] + (1 if id(entry) in plan["runs"] else 0))
                    self._count_sampled_runs(counts)
                return
            smp["alarm"] = False
            counts = smp["read"](smp["counter"].handle, self.tf.float32)._numpy().tolist() if smp["entries"] else []
            if fn is not None and plan is not None:
                touched: set | None = {id(e) for e in smp["entries"] if e["position"] > traced}
                if smp["nested"] != nested or any(not e["straight"] for e in smp["entries"] if e["position"] > traced):
                    touched = None  # this call's trace is not one plan can describe
                smp["plans"][fn] = self._learn_plan(plan, counts, count_before, count, alone, touched)
            self._count_sampled_runs(counts)

    def _learn_plan(self, plan, counts, count_before, count, alone, touched):
        """A function's plan after a call whose counts were read (see above); None: read always."""
        if count < 0:
            return None
        if count != count_before and (not alone or touched is None):
            return None  # traced in a call that cannot tell which sites the new trace runs
        if not alone:  # the counts may hold another call's runs, or none (run eagerly): nothing learned
            return plan if plan is False or count == plan["tracing_count"] else None
        ran = set()
        for entry in self.sampling["entries"]:
            runs = int(counts[2 * entry["slot"]]) - entry["seen"]
            if runs < 0 or runs > 1 or (runs and not entry["straight"]):
                return None
            if runs:
                ran.add(id(entry))
        if count != count_before and not ran <= touched:
            return None  # a site of another graph ran (a nested concrete function traced before)
        if plan is False:  # the function's first call seen here: its first trace must be in it
            return {"runs": ran, "tracing_count": count, "unread": 0} if count_before == 0 < count else None
        if count_before != plan["tracing_count"] or ran != plan["runs"]:
            return None
        plan["tracing_count"], plan["unread"] = count, 0
        return plan

    def _count_sampled_runs(self, counts) -> None:
        import numpy as np

        smp = self.sampling
        entries = smp["entries"]
        if not entries:
            return
        work = []
        for entry in entries:
            slot = entry["slot"]
            runs = int(counts[2 * slot])
            if runs > entry["seen"]:
                flagged = None
                if counts[2 * slot + 1] != 0.0:  # NaN: a NaN/Inf at some run since the last reset
                    k = len(entry["layout"])
                    flags = smp["read"](entry["flags"].handle, self.tf.float32)._numpy()
                    flagged = np.isnan(flags[:k]) | np.isnan(flags[k : 2 * k])
                if runs - entry["seen"] > 1 and not smp["every_run"]:
                    smp["every_run"] = True  # several runs per call: which is due is not known before
                work.append((entry, runs - entry["seen"], flagged))
                entry["seen"] = runs
        if not work:
            return
        work.sort(key=lambda item: item[0]["position"])  # the graph's order, as traced
        counted = []  # [entry, last run of the call, role, step, flagged]
        stopped = False
        for r in range(max(n for _, n, _ in work)):
            for entry, n, flagged in work:
                if r >= n or stopped:
                    continue
                site = entry["site"]
                role = "update" if site["update"] is not None else site["role"]
                step = self._advance(None, role, site["update"], True)
                if step is None:
                    stopped = True
                    continue
                counted.append([entry, r == n - 1, role, step, flagged])
        # A tape computation belongs to the step of the next update (a GAN's generator tape,
        # after the discriminator's update): its step decides whether it is due.
        next_update = None
        for run in reversed(counted):
            if run[2] == "update":
                next_update = run[3]
            elif run[2] == "bare" and next_update is not None:
                run[3] = next_update
        for entry, last, role, step, flagged in counted:
            if last and (self._due(step) or (flagged is not None and flagged.any())):
                if self._report_sampled(entry, step, role, flagged):
                    continue
            smp["pending"].append((entry["site"]["update"] if role == "update" else None, step))
        for entry, _, flagged in work:
            if flagged is not None:  # start looking for the next NaN/Inf
                smp["scatter_update"](smp["counter"].handle, [2 * entry["slot"] + 1], [0.0])
                entry["flags"].assign(np.zeros(2 * len(entry["layout"]), np.float32))

    def _report_sampled(self, entry, step, role, flagged) -> bool:
        """Report a site's last run from its stored statistics; False when they are not that
        run's (the due flag was not set for it: the run is counted instead)."""
        stored = self.sampling["read"](entry["stats"].handle, self.tf.float32)._numpy()
        if int(stored[0]) != entry["seen"] and (flagged is None or not flagged.any()):
            self.sampling["every_run"] = True
            return False
        rows = self._rows(stored[1:], entry["layout"])
        for i, row in enumerate(rows):
            if (
                flagged is not None
                and i < len(flagged)
                and flagged[i]
                and math.isfinite(row[0])
                and math.isfinite(row[1])
            ):
                # A NaN/Inf at an earlier run of the same call (a loop of steps in one tf.function):
                # reported at this run, as NaN (which of the two it was is not kept).
                rows[i] = (float("nan"), float("nan"), row[2])
        site = entry["site"]
        self._emit_gradient(site, entry["described"], entry["present"], rows, step, "graph", None, role)
        before = self.sampling["weights"].get(id(entry))
        if before is not None and site["update"] is not None:
            self._emit_sampled_ratios(entry["variables"], before, entry["described"], None)
        return True

    def _weight_sample(self, v):
        """A variable's entries for the update/weight ratio of a sampled site: all of them up to
        _RATIO_SAMPLE, else every k-th one (copying a large matrix to NumPy twice per reported
        step would cost more than the step): an estimate of ‖Δw‖/‖w‖ on a fixed, evenly spread subset.
        On the CPU one raw read, strided in NumPy (no TensorFlow op dispatch beyond it)."""
        import numpy as np

        n = v.shape.num_elements()
        k = 1 if n is None or n <= _RATIO_SAMPLE else -(-n // _RATIO_SAMPLE)
        var = v if isinstance(v, self.tf.Variable) and hasattr(v, "handle") else getattr(v, "_value", None)
        if var is not None and getattr(var, "device", "").endswith("CPU:0"):
            values = self.sampling["read"](var.handle, var.dtype)._numpy()
            return np.array(values.ravel()[::k])  # a copy: the next update must not change it
        if k == 1:
            return np.asarray(v.numpy()).ravel()
        return np.asarray(self.tf.reshape(v, [-1])[::k].numpy())

    def _emit_sampled_ratios(self, variables, before, described, replica) -> None:
        import numpy as np

        names, rows = [], []
        for v, old, desc in zip(variables, before, described):
            if v is None or old is None or old.dtype.kind != "f":
                continue
            new = self._weight_sample(v).astype(np.float64)
            old = old.astype(np.float64)
            change = new - old
            names.append(desc["name"])
            with np.errstate(all="ignore"):
                rows.append((float(np.dot(change, change)), float(np.dot(new, new)), float(np.dot(old, old))))
        if names:
            self._emit_ratios(names, rows, replica)

    def flush_unreported(self) -> None:
        """One event for the runs counted without a report since the last one: the report counts
        their updates (in order: a GAN's two optimizers alternate) as training steps."""
        smp = self.sampling
        if smp and smp["pending"]:
            pending, smp["pending"] = smp["pending"], []
            updates = [u for u, _ in pending if u is not None]
            self.channel.emit(
                {
                    "event": "unreported",
                    "replica": None,
                    "optimizer": updates[0] if updates else None,
                    "updates": updates,
                    "count": len(pending),
                    "step": max(step for _, step in pending),
                }
            )

    def flush_xla(self) -> None:
        """XLA-compiled gradient computations no optimizer update counted: what tracing knew, once."""
        for traced in self.xla_sites:
            if traced["update"] is None:
                described, present, replica = traced["xla"]
                self._emit_gradient(traced, described, present, None, None, "xla", replica, "bare")

    def emit_update_marker(self, replica, update, scaled) -> None:
        """Eagerly, an optimizer applied the last tape's gradients as they were: no new statistics,
        but the step's update (the report assigns the preceding tape computations to it)."""
        step = self._advance(replica, "update", update, False)
        if step is not None:
            self.flush_unreported()
            self.channel.emit(
                {"event": "update", "replica": replica, "optimizer": update, "scaled": scaled, "step": step}
            )

    def _emit_gradient(self, site, described, present, rows, step, mode, replica=None, role=None, update=None):
        self.flush_unreported()  # runs counted before this one come first: the report counts steps in order
        if self.channel.gradient_events >= _MAX_GRADIENT_EVENTS:
            self.channel.dropped += 1
            return
        self.channel.gradient_events += 1
        out = []
        row_of = {i: k for k, i in enumerate(present)}
        for i, d in enumerate(described):
            entry = dict(d)
            if i not in row_of:
                entry["status"], entry["norm"] = "none", None
            elif rows is None:
                entry["status"], entry["norm"] = "unobserved", None
            else:
                row = rows[row_of[i]]
                entry["status"], entry["norm"] = self._status(row)
                if len(row) > 2 and float(row[2]) >= 0:
                    entry["zero_entries"] = int(row[2])
            out.append(entry)
        if mode != "xla" and not site.get("scaled"):
            try:
                self._maybe_arm_diagnosis(site, out, mode)
            except Exception as exc:
                self.internal_error(exc)
        self.channel.emit(
            {
                "event": "gradient",
                "kind": site["kind"],
                "file": site["file"],
                "line": site["line"],
                "caller": site["caller"],
                "step": step,
                "mode": mode,
                "replica": replica,
                "worker": self.worker,
                "role": role or site.get("role", "bare"),
                "optimizer": update or site.get("update"),
                "scaled": bool(site.get("scaled")),
                "sources": out,
            }
        )

    # -- patches ---------------------------------------------------------------------------------

    def _wrap_tape_method(self, method_name, kind):
        probe = self
        original = getattr(self.tf.GradientTape, method_name)

        @functools.wraps(original)
        def wrapper(tape, target, sources, *args, **kwargs):
            if probe._depth() > 0:
                return original(tape, target, sources, *args, **kwargs)
            location = probe.loc.user_location(probe.tf_stack)
            if probe.tf.executing_eagerly():
                probe.before_step_event(probe._replica())  # stop here if this starts step N+1
            probe._enter()
            probe.local.target = target
            try:
                try:
                    probe.local.phase = "backward"
                    grads = original(tape, target, sources, *args, **kwargs)
                except Exception as exc:
                    probe.record_error(exc, kind, location)
                    raise
                finally:
                    probe.local.phase = None
                try:
                    frame = probe.loc.user_frame_for_locals(sys._getframe(1))
                    site = probe.observe(kind, sources, grads, location, frame)
                    if kind == "tape.gradient":
                        flat = (probe.tf.nest.flatten(sources), probe.tf.nest.flatten(grads), site)
                        probe.local.last_gradient = flat
                except Exception as exc:  # the probe must never break the user's program
                    probe.internal_error(exc)
                return grads
            finally:
                probe._leave()

        setattr(self.tf.GradientTape, method_name, wrapper)

    def _wrap_optimizer(self):
        if self.keras is None:
            return
        probe = self
        optimizer_cls = self.keras.optimizers.Optimizer
        apply_original = optimizer_cls.apply
        apply_gradients_original = optimizer_cls.apply_gradients

        lso_cls = getattr(self.keras.optimizers, "LossScaleOptimizer", None)

        def observe_apply(opt, kind, grads, variables, call):
            role = "update"
            if probe._depth() > 0:
                # Only the inner optimizer of a loss-scale optimizer is observed inside another
                # apply: it gets the unscaled gradients, and only on steps that did not overflow.
                outer = getattr(probe.local, "loss_scale", None)
                if outer is None or opt is not getattr(outer, "inner_optimizer", None) or probe.local.inner_seen:
                    return call()
                probe.local.inner_seen = True
                role = "attached"
            is_lso = lso_cls is not None and isinstance(opt, lso_cls)
            location = probe.loc.user_location(probe.tf_stack)
            replica = probe._replica()
            if role == "update" and probe.tf.executing_eagerly():
                probe.before_step_event(replica)  # stop here if this update starts step N+1
            probe._enter()
            previous_lso = getattr(probe.local, "loss_scale", None)
            try:
                try:
                    if variables is not None:
                        probe.observe_update(opt, kind, grads, variables, location, role, replica, is_lso)
                except Exception as exc:
                    probe.internal_error(exc)
                if is_lso:
                    probe.local.loss_scale, probe.local.inner_seen = opt, False
                weights_before = None
                sampled = not probe.tf.executing_eagerly() and getattr(probe.local, "update_sampled", False)
                if role == "update" and variables is not None and not sampled:
                    try:
                        weights_before = probe.read_weights(variables)
                    except Exception as exc:
                        probe.internal_error(exc)
                try:
                    probe.local.phase = "update"
                    result = call()
                except Exception as exc:
                    probe.record_error(exc, kind, location)
                    raise
                finally:
                    probe.local.phase = None
                if weights_before is not None:
                    try:
                        probe.observe_update_ratio(variables, weights_before, replica)
                    except Exception as exc:
                        probe.internal_error(exc)
                return result
            finally:
                if is_lso:
                    probe.local.loss_scale = previous_lso
                probe._leave()

        def wrap_apply(apply_original):
            @functools.wraps(apply_original)
            def apply(opt, grads, trainable_variables=None, *args, **kwargs):
                grads = list(grads)
                variables = list(trainable_variables) if trainable_variables is not None else None
                if variables is None:
                    try:
                        variables = list(opt._trainable_variables) or None
                    except Exception:
                        variables = None
                passed = variables if trainable_variables is not None else None
                return observe_apply(
                    opt,
                    "optimizer.apply",
                    grads,
                    variables,
                    lambda: apply_original(opt, grads, passed, *args, **kwargs),
                )

            return apply

        @functools.wraps(apply_gradients_original)
        def apply_gradients(opt, grads_and_vars, *args, **kwargs):
            pairs = list(grads_and_vars)  # may be a one-shot zip
            grads = [g for g, _ in pairs]
            variables = [v for _, v in pairs]
            return observe_apply(
                opt,
                "optimizer.apply_gradients",
                grads,
                variables,
                lambda: apply_gradients_original(opt, pairs, *args, **kwargs),
            )

        optimizer_cls.apply = wrap_apply(apply_original)
        optimizer_cls.apply_gradients = apply_gradients
        if lso_cls is not None and "apply" in vars(lso_cls):
            # The loss-scale optimizer overrides apply: called directly (a custom loop), it is the
            # update of the scaled gradients; its inner optimizer's apply is then the attached one.
            lso_cls.apply = wrap_apply(lso_cls.apply)

    def observe_update(self, opt, kind, grads, variables, location, role, replica, is_lso) -> None:
        """An optimizer update: a step boundary. When it applies exactly what the last
        tape.gradient returned (Keras' train_step) the tape's event stands for it: reporting the
        same statuses twice would be noise."""
        key = self.optimizer_key(opt)
        last = getattr(self.local, "last_gradient", None)
        if role == "update" and last is not None and self._same_gradients(last, grads, variables):
            site = last[2]
            self.local.last_gradient = None
            self.local.update_token = site.get("token") if site is not None else None
            self.local.update_sampled = site is not None and getattr(self.local, "sampled_site", None) is site
            if self.tf.executing_eagerly():
                self.emit_update_marker(replica, key, is_lso)
            elif site is not None:
                site["update"], site["scaled"] = key, is_lso  # read by the tape's py_function at run time
                if "xla" in site:
                    described, present, site_replica = site["xla"]
                    self.xla_updates.append([opt, key, site_replica, site, described, present, 0])
                    try:
                        with self.tf.init_scope():  # its value now, outside the function being traced
                            self.xla_updates[-1][6] = int(opt.iterations.numpy())
                    except Exception:
                        pass
            return
        self.local.update_sampled = False  # its own computation, reported every step
        frame = self.loc.user_frame_for_locals(sys._getframe(3))
        self.observe(kind, variables, grads, location, frame, role, key if role == "update" else None, is_lso)

    # -- causes ---------------------------------------------------------------------------------
    #
    # A None gradient, or a NaN/Inf, first seen at a site arms a diagnosis of the next training
    # step: an op callback records every op TensorFlow runs (tf.function calls run eagerly in the
    # meantime, tf.config.run_functions_eagerly, so graph code is recorded too: that step is run
    # again eagerly, not the one that showed the problem) until that site's next gradient
    # computation. From the recording: the ops on the path from each None source (cut by an op
    # without a gradient, or where the path ends), and the first op whose output holds a NaN/Inf
    # while its inputs were finite. The program is never stopped for it (unlike
    # tf.debugging.enable_check_numerics); the per-op cost is paid during that one step only.

    def _maybe_arm_diagnosis(self, site, entries, mode) -> None:
        if self.diagnosis is not None or self.diagnosis_runs >= _MAX_DIAGNOSES or self.stop_requested:
            return
        key = (site["kind"], site["file"], site["line"])
        nones = set()
        if mode == "eager":  # in a graph the traced ops were explained while tracing (_graph_none_causes)
            nones = {
                e["name"] for e in entries if e["status"] == "none" and (key, "none", e["name"]) not in self.diagnosed
            }
        nan = any(e["status"] in ("nan", "inf") for e in entries) and (key, "nan") not in self.diagnosed
        if not nones and not nan:
            return
        self.diagnosed.update((key, "none", n) for n in nones)
        if nan:
            self.diagnosed.add((key, "nan"))
        self.diagnosis_runs += 1
        self.diagnosis = {"site": key, "none": nones, "nan": nan, "ops": [], "origin": None, "active": False}
        self.diagnosis["calls"] = 0
        if self.tf.executing_eagerly() and threading.get_ident() == self.main_ident:
            self.start_diagnosis()
        # else (a running graph): started by the patched tf.function call once the graph returns

    def start_diagnosis(self) -> None:
        from tensorflow.python.framework import op_callbacks

        d = self.diagnosis
        d["eager_before"] = self.tf.config.functions_run_eagerly()
        if d["nan"]:  # values are needed: the traced functions of that one step run eagerly
            self.tf.config.run_functions_eagerly(True)
        op_callbacks.add_op_callback(self._on_op)
        d["active"] = True

    def _end_diagnosis(self) -> None:
        from tensorflow.python.framework import op_callbacks

        d = self.diagnosis
        self.diagnosis = None
        if d is None or not d["active"]:
            return
        try:
            op_callbacks.remove_op_callback(self._on_op)
        except Exception:
            pass
        if d["nan"]:
            self.tf.config.run_functions_eagerly(bool(d.get("eager_before")))

    def _on_op(self, op_type, inputs, attrs, outputs, op_name=None, graph=None):
        d = self.diagnosis
        if d is None or not d["active"] or graph is not None or len(d["ops"]) >= _MAX_RECORDED_OPS:
            return None
        try:
            phase = getattr(self.local, "phase", None) or "forward"
            file, line, _ = self.loc.user_location(None)
            outs = list(outputs or ())
            d["ops"].append((op_type, [id(t) for t in inputs], outs, file, line, phase, list(inputs)))
            if d["nan"] and d["origin"] is None and phase != "update":
                self._check_finite(d, op_type, inputs, outs, file, line, phase)
        except Exception as exc:
            self.internal_error(exc)
        return None

    @staticmethod
    def _finite(t) -> bool:
        import numpy as np

        dtype = getattr(t, "dtype", None)
        if dtype is None or not (dtype.is_floating or dtype.is_complex):
            return True
        return bool(np.isfinite(t.numpy()).all())

    def _check_finite(self, d, op_type, inputs, outs, file, line, phase) -> None:
        if all(self._finite(o) for o in outs):
            return
        inherited = not all(self._finite(t) for t in inputs)
        if inherited and op_type != "ReadVariableOp":
            d["origin"] = {"op": op_type, "file": file, "line": line, "phase": phase, "inherited": True}
            return
        d["origin"] = {"op": op_type, "file": file, "line": line, "phase": phase, "inherited": False}

    def _diagnose(self, site, flat_sources, flat_grads, described) -> None:
        """At a gradient computation while recording: explain the armed site's None sources and the
        first NaN/Inf, then stop recording (or give up after _DIAGNOSIS_GIVE_UP_CALLS computations)."""
        d = self.diagnosis
        d["calls"] += 1
        key = (site["kind"], site["file"], site["line"])
        if key != d["site"]:
            if d["calls"] > _DIAGNOSIS_GIVE_UP_CALLS:
                self._end_diagnosis()
            return
        try:
            ops = [r for r in d["ops"] if r[5] == "forward"]
            target_ids = {id(t) for t in self.tf.nest.flatten(getattr(self.local, "target", None))}
            ancestors = self._ancestors(ops, target_ids)
            for src, grad, desc in zip(flat_sources, flat_grads, described):
                if grad is None and desc["name"] in d["none"]:
                    cause = self._none_cause(src, desc["name"], ops, ancestors)
                    self._emit_cause(site, "none", desc["name"], cause)
            if d["nan"]:
                origin = d["origin"]
                if origin is not None:
                    self._emit_cause(site, "nan", None, self._nan_cause(origin))
        finally:
            self._end_diagnosis()

    def _graph_none_causes(self, site, flat_sources, flat_grads, described) -> None:
        """While tracing: the traced graph holds the ops, so a None source's path is walked there
        (its captured variable handle, or the tensor, forward through consumers)."""
        key = (site["kind"], site["file"], site["line"])
        graph = self.tf.compat.v1.get_default_graph()
        captured = {}
        for pair in getattr(graph, "captures", None) or []:
            try:
                external, internal = pair
                captured[id(external)] = internal
            except Exception:
                continue
        ancestors: set = set()
        stack = [t.op for t in self.tf.nest.flatten(getattr(self.local, "target", None)) if hasattr(t, "op")]
        while stack:
            op = stack.pop()
            if id(op) in ancestors:
                continue
            ancestors.add(id(op))
            stack.extend(t.op for t in op.inputs)
        for src, grad, desc in zip(flat_sources, flat_grads, described):
            if grad is not None or (key, "none", desc["name"]) in self.diagnosed:
                continue
            self.diagnosed.add((key, "none", desc["name"]))
            starts = []
            for holder in (src, getattr(src, "_value", None)):
                handle = getattr(holder, "handle", None) if holder is not None else None
                if handle is not None and id(handle) in captured:
                    starts.append(captured[id(handle)])
                elif handle is not None and getattr(handle, "graph", None) is graph:
                    starts.append(handle)
            if not starts and getattr(src, "graph", None) is graph:
                starts.append(src)
            path: list = []
            seen: set = set()
            frontier = [c for t in starts for c in t.consumers()]
            while frontier:
                op = frontier.pop()
                if id(op) in seen:
                    continue
                seen.add(id(op))
                path.append(op)
                frontier.extend(c for t in op.outputs for c in t.consumers())
            path.sort(key=lambda op: getattr(op, "_id", 0))
            cause = self._graph_cause(desc["name"], path, ancestors)
            self._emit_cause(site, "none", desc["name"], cause)

    def _op_location(self, op):
        try:
            frames = list(op.traceback)
        except Exception:
            return None, None
        for fr in reversed(frames):  # innermost last
            if self.loc.is_user(fr.filename):
                return self.loc.real(fr.filename), fr.lineno
        return None, None

    def _graph_cause(self, name, path, ancestors) -> dict:
        if not path:
            return {
                "op": None,
                "file": None,
                "line": None,
                "message": "no traced op reads `%s`: the target does not depend on it (or it is used only outside "
                "the tape)" % name,
            }
        on_target = [op for op in path if id(op) in ancestors]
        for op in on_target or path:
            if self._cuts_gradient(op.type, list(op.outputs)):
                file, line = self._op_location(op)
                return {
                    "op": op.type,
                    "file": file,
                    "line": line,
                    "message": "the path from `%s` to the target goes through `%s`, which has no gradient"
                    % (name, op.type),
                }
        op = on_target[0] if on_target else path[-1]
        file, line = self._op_location(op)
        if on_target:
            message = "`%s` reaches the target through `%s`, but the tape did not record that path" % (name, op.type)
        else:
            message = "the last op on the traced path from `%s` is `%s`: nothing after it reaches the target" % (
                name,
                op.type,
            )
        return {"op": op.type, "file": file, "line": line, "message": message}

    @staticmethod
    def _ancestors(ops, target_ids) -> set:
        """Indices of the recorded ops the target depends on."""
        wanted = set(target_ids)
        out = set()
        for i in range(len(ops) - 1, -1, -1):
            if any(id(o) in wanted for o in ops[i][2]):
                out.add(i)
                wanted.update(ops[i][1])
        return out

    def _cuts_gradient(self, op_type, outs) -> bool:
        if op_type in _NONE_GRADIENT_OPS:
            return True
        if outs and not any(getattr(o, "dtype", None) is not None and o.dtype.is_floating for o in outs):
            return True  # an integer/bool result (a cast to int, a comparison) carries no gradient
        try:
            from tensorflow.python.framework import ops as tf_ops

            return tf_ops._gradient_registry.lookup(op_type) is None  # registered NotDifferentiable
        except LookupError:
            return True
        except Exception:
            return False

    def _none_cause(self, src, name, ops, ancestors) -> dict:
        seeds = {id(src)}
        for holder in (src, getattr(src, "_value", None)):
            handle = getattr(holder, "handle", None) if holder is not None else None
            if handle is not None:
                seeds.add(id(handle))
        path = self._path_from(ops, seeds)
        if not path:
            # TensorFlow's fast path reads a variable passed straight to an op inside that op's
            # execution, without an op of its own: the op's input is then a tensor no recorded op
            # produced. Match such inputs by value (the update comes after this gradient call).
            seeds |= self._read_by_value(src, ops)
            path = self._path_from(ops, seeds)
        if not path:
            return {
                "op": None,
                "file": None,
                "line": None,
                "message": "`%s` is not read by any op while the tape records the step: the target does not "
                "depend on it (or it is used only outside the tape)" % name,
            }
        on_target = [i for i in path if i in ancestors]
        for i in on_target or path:  # a cut on the way to the target; else anywhere on the path
            rec = ops[i]
            if self._cuts_gradient(rec[0], rec[2]):
                return {
                    "op": rec[0],
                    "file": rec[3],
                    "line": rec[4],
                    "message": "the path from `%s` to the target goes through `%s`, which has no gradient"
                    % (name, rec[0]),
                }
        if on_target:
            rec = ops[on_target[0]]
            return {
                "op": rec[0],
                "file": rec[3],
                "line": rec[4],
                "message": "`%s` reaches the target through `%s`, but the tape did not record that path "
                "(a tensor it never watched, or watch_accessed_variables=False)" % (name, rec[0]),
            }
        rec = ops[path[-1]]
        return {
            "op": rec[0],
            "file": rec[3],
            "line": rec[4],
            "message": "the last op on the recorded path from `%s` is `%s`: nothing after it reaches the target "
            "(the value left TensorFlow, e.g. through .numpy(), or was used outside the tape)" % (name, rec[0]),
        }

    @staticmethod
    def _path_from(ops, seeds) -> list:
        reached = set(seeds)
        path = []
        for i, rec in enumerate(ops):
            if any(x in reached for x in rec[1]):
                path.append(i)
                reached.update(id(o) for o in rec[2])
        return path

    def _read_by_value(self, src, ops) -> set:
        import numpy as np

        if not isinstance(src, (self.tf.Variable,)) and not (
            self.keras is not None and isinstance(src, self.keras.Variable)
        ):
            return set()
        try:
            value = np.asarray(self.tf.convert_to_tensor(src).numpy())
        except Exception:
            return set()
        produced = {id(o) for rec in ops for o in rec[2]}
        found = set()
        for rec in ops:
            for t in rec[6]:
                if id(t) in produced or id(t) in found:
                    continue
                try:
                    if tuple(t.shape) == value.shape and t.dtype.name == value.dtype.name:
                        if np.array_equal(t.numpy(), value):
                            found.add(id(t))
                except Exception:
                    continue
        return found

    @staticmethod
    def _nan_cause(origin) -> dict:
        op = origin["op"]
        if op == "ReadVariableOp":
            message = "a variable already holds NaN/Inf when it is read (an earlier update wrote it)"
        elif origin["phase"] == "backward":
            message = "the first NaN/Inf appears in the gradient computation, in `%s` (the backward pass)" % op
        elif origin["inherited"]:
            message = "the first NaN/Inf recorded comes out of `%s`, from inputs that already held one" % op
        else:
            message = "`%s` produced the first NaN/Inf of the step, from finite inputs" % op
        return {"op": op, "file": origin["file"], "line": origin["line"], "message": message}

    def _emit_cause(self, site, kind, source, cause) -> None:
        self.channel.emit(
            dict(
                cause,
                event="cause",
                kind=kind,
                source=source,
                site={"kind": site["kind"], "file": site["file"], "line": site["line"]},
                step=self.steps,
            )
        )

    # -- update/weight ratio ------------------------------------------------------------------
    #
    # ‖Δw‖ / ‖w‖ of each variable an optimizer update changed: how fast it learns (around 1e-3 is
    # the usual rule of thumb; far below: barely learning, far above: unstable). The weights are
    # read before the update and again after it (TensorFlow copies a variable's buffer before
    # updating it while an earlier read still holds it, so the first read keeps the old values;
    # in a graph, automatic control dependencies keep the reads and the update in program order).

    def read_weights(self, variables):
        tf = self.tf
        eager = tf.executing_eagerly()
        out: list = []
        for v in variables:
            dtype = getattr(v, "dtype", None)
            if dtype is None or not getattr(tf.as_dtype(dtype), "is_floating", False):
                out.append(None)
                continue
            var = self._cpu_variable(v) if eager else None
            # Eagerly on the CPU: one raw read (the update copies the buffer this tensor holds).
            out.append(tf.convert_to_tensor(v) if var is None else self.read_op(var.handle, var.dtype))
        return out

    def _cpu_variable(self, v):
        """The tf.Variable behind v (a Keras variable's _value) when it lives on the CPU, else None."""
        var = v if isinstance(v, self.tf.Variable) and hasattr(v, "handle") else getattr(v, "_value", None)
        if self.read_op is None or var is None or not getattr(var, "device", "").endswith("CPU:0"):
            return None
        return var

    def _eager_ratio_rows(self, variables, before):
        """_ratio_stats' rows in NumPy when every variable and read lives on the CPU (a few TensorFlow
        ops per variable cost ~10 ms per eager update on a 3-layer MLP), else None."""
        import numpy as np

        rows = []
        for v, old in zip(variables, before):
            if old is None:
                rows.append((-1.0, -1.0, -1.0))
                continue
            var = self._cpu_variable(v)
            if var is None or not old.device.endswith("CPU:0"):
                return None
            new = self.read_op(var.handle, var.dtype)._numpy().ravel()
            prev = old._numpy().ravel()
            if new.dtype != np.float32 and new.dtype != np.float64:
                new, prev = new.astype(np.float32), prev.astype(np.float32)
            change = new - prev
            with np.errstate(all="ignore"):
                rows.append((float(np.dot(change, change)), float(np.dot(new, new)), float(np.dot(prev, prev))))
        return rows

    def _ratio_stats(self, variables, before):
        """float32 [k, 2]: (sum of squares of the change, sum of squares of the new weights)."""
        tf = self.tf
        rows = []
        for v, old in zip(variables, before):
            if old is None:
                rows.append(tf.constant([-1.0, -1.0, -1.0], tf.float32))
                continue
            new = tf.cast(tf.convert_to_tensor(v), tf.float32)
            old = tf.cast(old, tf.float32)
            rows.append(
                tf.stack(
                    [tf.reduce_sum(tf.square(new - old)), tf.reduce_sum(tf.square(new)), tf.reduce_sum(tf.square(old))]
                )
            )
        return tf.stack(rows) if rows else tf.zeros([0, 3], tf.float32)

    def observe_update_ratio(self, variables, before, replica) -> None:
        tf = self.tf
        names = [self._variable_name(v, i) for i, v in enumerate(variables)]
        if tf.executing_eagerly():
            rows = self._eager_ratio_rows(variables, before)
            self._emit_ratios(
                names, rows if rows is not None else self._ratio_stats(variables, before).numpy(), replica
            )
            return
        if self._in_xla():
            return  # no callback inside an XLA cluster
        token = getattr(self.local, "update_token", None)
        if getattr(self.local, "update_sampled", False):
            return  # a sampled site: measured in Python around the calls it reports
        self._ratio_report(variables, before, names, replica, token)

    def _ratio_report(self, variables, before, names, replica, token):
        tf = self.tf
        stats = self._ratio_stats(variables, before)
        inputs = [stats] if token is None else [stats, token]  # after the tape's report of this step

        def on_run(values, *_after, _names=names, _replica=replica):
            try:
                self._emit_ratios(_names, values.numpy(), _replica)
            except Exception as exc:
                self.internal_error(exc)
            return 0.0

        return tf.py_function(on_run, inputs, Tout=tf.float32)

    def _variable_name(self, v, index) -> str:
        """The name a gradient event gives this variable (see _describe), without frame lookups."""
        if self.keras is not None and isinstance(v, self.keras.Variable):
            return getattr(v, "path", None) or getattr(v, "name", None) or "source[%d]" % index
        raw = getattr(v, "name", None) or ""
        if raw and not _DEFAULT_TF_VARIABLE_NAME.match(raw):
            return raw[:-2] if raw.endswith(":0") else raw
        site = getattr(v, _SITE_ATTR, None)
        if site is not None:
            target = _assignment_target_on_line(site[0], site[1])
            if target:
                return target
        return raw or "source[%d]" % index

    def _emit_ratios(self, names, rows, replica) -> None:
        ratios, before = [], []
        for row in rows:
            change, weight, old = float(row[0]), float(row[1]), float(row[2])
            ok = change >= 0 and weight > 0 and math.isfinite(change) and math.isfinite(weight)
            ratios.append(math.sqrt(change / weight) if ok else None)
            before.append(math.sqrt(old) if old >= 0 and math.isfinite(old) else None)
        self.channel.emit(
            {"event": "update-ratio", "replica": replica, "names": names, "ratios": ratios, "weight_norms": before}
        )

    @staticmethod
    def _same_gradients(last, grads, variables) -> bool:
        by_source = {id(s): g for s, g in zip(last[0], last[1])}
        for g, v in zip(grads, variables):
            if id(v) not in by_source or by_source[id(v)] is not g:
                return False
        return True

    def _wrap_variables(self):
        probe = self
        from tensorflow.python.ops import resource_variable_ops

        base = resource_variable_ops.BaseResourceVariable
        base_init = base.__init__
        # What assign/assign_add return (read_value=True): a view of an existing variable, made at
        # every optimizer update in eager Keras (~20 per step on a 3-layer MLP): no creation line.
        unread = getattr(resource_variable_ops, "_UnreadVariable", ())

        @functools.wraps(base_init)
        def tf_variable_init(var, *args, **kwargs):
            base_init(var, *args, **kwargs)
            if not isinstance(var, unread) and getattr(var, _SITE_ATTR, None) is None:
                try:
                    file, line, _ = probe.loc.user_location(probe.tf_stack)
                    if file is not None:
                        _set_private(var, _SITE_ATTR, (file, line, "variable"))
                except Exception:
                    pass

        base.__init__ = tf_variable_init

    def _wrap_keras_variables(self):
        probe = self
        layer_cls = self.keras.layers.Layer
        keras_var_cls = self.keras.Variable
        var_init = keras_var_cls.__init__
        # Hook __new__, not __init__: Keras inspects __init__'s signature for get_config, and
        # __new__ runs once, straight from the line that constructs the layer.
        layer_new = layer_cls.__dict__["__new__"]
        layer_new = layer_new.__func__ if isinstance(layer_new, staticmethod) else layer_new

        @functools.wraps(layer_new)
        def keras_layer_new(cls, *args, **kwargs):
            layer = layer_new(cls, *args, **kwargs)
            try:
                file, line, _ = probe.loc.user_location(probe.tf_stack)
                if file is not None:
                    _set_private(layer, _LAYER_SITE_ATTR, (file, line, "layer"))
            except Exception:
                pass
            return layer

        @functools.wraps(var_init)
        def keras_variable_init(self, *args, **kwargs):
            var_init(self, *args, **kwargs)
            try:
                site, owner = probe._keras_variable_site(layer_cls)
                _set_private(self, _SITE_ATTR, site)
                if owner is not None:
                    _set_private(self, _LAYER_ATTR, _layer_facts(owner))
            except Exception:
                pass

        layer_cls.__new__ = staticmethod(keras_layer_new)
        keras_var_cls.__init__ = keras_variable_init

    def _keras_variable_site(self, layer_cls):
        """The user's line that created a Keras variable: their own add_weight call when the owning
        layer is their code, else the line that constructed the (library) layer that owns it."""
        owner = None
        user = None
        f: types.FrameType | None = sys._getframe(2)
        while f is not None and (owner is None or user is None):
            code = f.f_code
            if owner is None and "self" in code.co_varnames[: code.co_argcount]:
                candidate = f.f_locals.get("self")
                if isinstance(candidate, layer_cls):
                    owner = candidate
            if user is None and self.loc.is_user(code.co_filename):
                user = f
            f = f.f_back
        if user is not None and (owner is None or user.f_locals.get("self") is owner):
            file, line, _ = self.loc.user_location(self.tf_stack)
            if file is None:
                file, line = self.loc.real(user.f_code.co_filename), user.f_lineno
            return (file, line, "variable"), owner
        if owner is not None:
            constructed = getattr(owner, _LAYER_SITE_ATTR, None)
            if constructed is not None:
                return constructed, owner
        if user is not None:
            return (self.loc.real(user.f_code.co_filename), user.f_lineno, "variable"), owner
        return None, owner

    def _wrap_warnings(self):
        probe = self
        original = warnings.showwarning

        def showwarning(message, category, filename, lineno, file=None, line=None):
            text = str(message)
            if "radient" in text:
                loc = probe.loc.user_location(None)
                probe.channel.emit(
                    {
                        "event": "warning",
                        "category": getattr(category, "__name__", str(category)),
                        "message": text[:_MAX_MESSAGE],
                        "file": loc[0],
                        "line": loc[1],
                        "step": probe.steps,
                    }
                )
            return original(message, category, filename, lineno, file, line)

        warnings.showwarning = showwarning

    def _keep_keras_observable(self):
        """Keras' jit_compile="auto" turns XLA on when a GPU is visible, and py_function cannot run
        inside XLA; keep fit() un-jitted (the probe runs a few steps, speed is not the point)."""
        if self.keras is None:
            return
        model_cls = self.keras.Model
        original = model_cls.compile

        @functools.wraps(original)
        def compile(model, *args, **kwargs):
            if kwargs.get("jit_compile", "auto") == "auto":
                kwargs["jit_compile"] = False
            return original(model, *args, **kwargs)

        model_cls.compile = compile

    def internal_error(self, exc: BaseException) -> None:
        self.channel.emit(
            {
                "event": "internal-error",
                "type": type(exc).__name__,
                "message": ("%s\n%s" % (exc, traceback.format_exc()))[:_MAX_MESSAGE],
            }
        )

    def _wrap_tf_function_call(self):
        """A stop requested inside a running graph (py_function) is raised once the tf.function
        call returns to Python in the main thread: between two training steps, like Ctrl+C."""
        probe = self
        try:
            from tensorflow.python.eager.polymorphic_function import polymorphic_function
        except Exception:
            return
        function_cls = polymorphic_function.Function
        original = function_cls.__call__

        @functools.wraps(original)
        def call(fn, *args, **kwargs):
            eager = probe.tf.executing_eagerly()
            if not eager and probe.sampling:
                probe.sampling["nested"] += 1  # called while a graph is traced
            if eager and probe.sampling is None:
                try:
                    probe.prepare_sampling()
                except Exception as exc:
                    probe.sampling = False  # never again
                    probe.internal_error(exc)
            ticket = None
            if eager and probe.sampling:
                try:
                    ticket = probe.before_function_call(fn)
                except Exception as exc:
                    probe.internal_error(exc)
            try:
                result = original(fn, *args, **kwargs)
            except BaseException:
                if ticket is not None:
                    probe.function_call_failed(fn)
                raise
            if ticket is not None:
                try:
                    probe.after_function_call(fn, ticket)
                except Exception as exc:
                    probe.internal_error(exc)
            if probe.xla_updates and probe.tf.executing_eagerly():
                probe.xla_iterations()
            diagnosis = probe.diagnosis
            if (
                diagnosis is not None
                and not diagnosis["active"]
                and not probe.stop_requested
                and threading.get_ident() == probe.main_ident
                and probe.tf.executing_eagerly()
            ):
                probe.start_diagnosis()
            if (
                probe.stop_requested
                and not probe.interrupt_delivered
                and threading.get_ident() == probe.main_ident
                and probe.tf.executing_eagerly()
            ):
                raise _StepLimitReached()
            return result

        function_cls.__call__ = call

    def install(self):
        """Patch TensorFlow (once it has been imported)."""
        self._wrap_tape_method("gradient", "tape.gradient")
        self._wrap_tape_method("jacobian", "tape.jacobian")
        self._wrap_tape_method("batch_jacobian", "tape.batch_jacobian")
        self._wrap_tf_function_call()
        self._wrap_variables()
        self._wrap_warnings()

    def install_keras(self, keras):
        """Patch Keras 3 (once it has been imported, after TensorFlow)."""
        self.keras = keras
        self._wrap_optimizer()
        self._wrap_keras_variables()
        self._keep_keras_observable()


# ----------------------------------------------------------------------------------------------
# Entry point


def _parse_args(argv):
    p = argparse.ArgumentParser(prog="gradls-probe-runner")
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("--report-file")
    dest.add_argument("--report-fd", type=int)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    p.add_argument("--module", action="store_true", help="`script` is a module name, run as `python -m` would")
    p.add_argument("--stack-file", help="where SIGUSR2 dumps every thread's Python stack (the launcher's timeout)")
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    return p.parse_args(argv)


def _select_device(tf, requested):
    """(device, name, error): 'gpu' when TensorFlow sees one and it is allowed, else 'cpu'."""
    try:
        gpus = tf.config.list_physical_devices("GPU")
    except Exception:
        gpus = []
    if requested == "cpu" or (requested == "auto" and not gpus):
        return "cpu", "CPU", None
    if not gpus:
        built = "with" if tf.test.is_built_with_cuda() else "WITHOUT"
        return (
            None,
            None,
            (
                "--device gpu was requested but TensorFlow %s in %s sees no GPU "
                "(tf.config.list_physical_devices('GPU') is empty; this TensorFlow build is %s CUDA). "
                "Use --device auto or --device cpu, or install a CUDA-enabled TensorFlow "
                "(pip install 'tensorflow[and-cuda]') on a machine with an NVIDIA driver."
                % (tf.__version__, sys.executable, built)
            ),
        )
    name = gpus[0].name
    try:
        details = tf.config.experimental.get_device_details(gpus[0])
        name = details.get("device_name") or name
    except Exception:
        pass
    return "gpu", name, None


_FINISHING: list = []
_FINISH_LOCK = threading.Lock()


def _flush_open_files() -> None:
    """Flush every open buffered file of the program, as the interpreter's shutdown would (the
    process then ends with os._exit, which would drop their buffers)."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass
    try:
        objects = gc.get_objects()
    except Exception:
        return
    for obj in objects:
        if isinstance(obj, (io.TextIOWrapper, io.BufferedWriter, io.BufferedRandom)):
            try:
                if not obj.closed and obj.writable():
                    obj.flush()
            except Exception:
                pass


def _finish(channel, reason, exit_code, steps, dropped, run_exit_handlers=True):
    """Write the final event, run the program's atexit handlers, flush its files, and end the
    process. os._exit, not an interpreter shutdown: the program's threads still running (data
    loaders, a hung worker) must not keep it alive, and TensorFlow's teardown is not needed."""
    with _FINISH_LOCK:
        again = bool(_FINISHING)
        _FINISHING.append(exit_code)
    if again:  # the main thread is already finishing and its exit handlers outlived the grace period
        os._exit(_FINISHING[0])
    channel.emit({"event": "done", "reason": reason, "exit_code": exit_code, "steps": steps, "dropped_events": dropped})
    if run_exit_handlers:
        try:
            atexit._run_exitfuncs()
        except BaseException:
            pass
    _flush_open_files()
    os._exit(exit_code)


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Calls on_loaded(name, module) once a watched top-level module has finished executing, so the
    probe patches TensorFlow and Keras only when the program imports them (after its own
    environment set-up: TF_*, KERAS_BACKEND, CUDA_VISIBLE_DEVICES)."""

    def __init__(self, names, on_loaded):
        self.pending = set(names)
        self.on_loaded = on_loaded
        self.searching: set = set()

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.pending or fullname in self.searching:
            return None
        self.searching.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self.searching.discard(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        watcher = self
        original = loader.exec_module

        def exec_module(module):
            watcher.pending.discard(fullname)
            try:
                original(module)
            except BaseException:
                watcher.pending.add(fullname)  # a retried import is watched again
                raise
            watcher.on_loaded(fullname, module)

        loader.exec_module = exec_module
        return spec


class _Session:
    """One probed program: the report channel, and the probe once TensorFlow has been imported."""

    def __init__(self, channel, locator, args, base):
        self.channel = channel
        self.locator = locator
        self.args = args
        self.base = base
        self.probe = None
        self.keras_module = None
        self.watcher = _ImportWatcher(("tensorflow", "keras"), self.on_loaded)

    def on_loaded(self, name, module) -> None:
        try:
            if name == "tensorflow":
                self._tensorflow_loaded(module)
            elif name == "keras":
                self.keras_module = module
                self._install_keras()
        except Exception as exc:
            self.channel.emit(
                {"event": "internal-error", "type": type(exc).__name__, "message": str(exc)[:_MAX_MESSAGE]}
            )

    def _tensorflow_loaded(self, tf) -> None:
        global _ACTIVE_PROBE
        if self.probe is not None:
            return
        device, device_name, device_error = _select_device(tf, self.args.device)
        if device_error:
            event = dict(self.base, event="fatal", status="error", message=device_error, tensorflow=tf.__version__)
            self.channel.emit(event)
            _flush_open_files()
            os._exit(3)
        self.locator.executing_eagerly = tf.executing_eagerly
        self.probe = _Probe(self.channel, self.locator, max(1, self.args.steps), tf, None)
        _ACTIVE_PROBE = self.probe
        self.probe.install()
        self.channel.emit(
            {"event": "tensorflow", "tensorflow": tf.__version__, "device": device, "device_name": device_name}
        )
        if self.keras_module is None and "keras" in sys.modules and "keras" not in self.watcher.pending:
            self.keras_module = sys.modules["keras"]
        self._install_keras()

    def _install_keras(self) -> None:
        keras = self.keras_module
        if self.probe is None or keras is None or self.probe.keras is not None:
            return
        if not hasattr(keras, "Variable"):  # Keras 2 (tf_keras): optimizers/variables not instrumented
            return
        self.probe.install_keras(keras)
        self.channel.emit({"event": "tensorflow", "keras": getattr(keras, "__version__", None)})

    def record_program_error(self, exc: BaseException) -> None:
        if self.probe is not None:
            self.probe.record_error(exc, "program")
            return
        file, line = self.locator.location_of_traceback(exc)
        self.channel.emit(
            {
                "event": "error",
                "type": type(exc).__name__,
                "message": str(exc)[:_MAX_MESSAGE],
                "file": file,
                "line": line,
                "category": "program",
                "during": "program",
                "step": 0,
            }
        )


def _hidden_file(filename: str) -> bool:
    if filename == "<frozen runpy>" or filename.endswith(os.sep + "runpy.py"):
        return True
    real = os.path.realpath(filename) if not filename.startswith("<") else filename
    return real == os.path.realpath(__file__) or real in _INTERNAL_FILES


def _print_user_traceback(exc: BaseException) -> None:
    """Print the program's uncaught exception as `python script.py` would: without the runner's
    frames (its exec, its patched TensorFlow methods, its import hook)."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen: set = set()
    todo = [te]
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        t.stack = traceback.StackSummary.from_list([f for f in t.stack if not _hidden_file(f.filename)])
        todo += [c for c in (t.__cause__, t.__context__) if c is not None]
        todo += list(getattr(t, "exceptions", None) or [])
    try:
        sys.stderr.write("".join(te.format()))
    except Exception:
        pass


def _resolve_module(name: str):
    """(file, run name) of `python -m name`: the module, or a package's __main__."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ImportError("No module named %s" % name)
    if spec.submodule_search_locations is not None:
        main_name = name + ".__main__"
        spec = importlib.util.find_spec(main_name)
        if spec is None:
            raise ImportError(
                "No module named %s; '%s' is a package and cannot be directly executed" % (main_name, name)
            )
        name = main_name
    if not spec.origin or not os.path.isfile(spec.origin):
        raise ImportError("%s has no source file to run" % name)
    return os.path.realpath(spec.origin), name


def main(argv=None) -> int:
    return run(_parse_args(sys.argv[1:] if argv is None else argv))


def run(args) -> int:
    """Probe one program, given parsed options (the warm worker's forked child calls this too)."""
    if args.report_file:
        fd = os.open(args.report_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o600)
    else:
        fd = args.report_fd
        os.set_inheritable(fd, False)  # children the user spawns must not hold the channel
    channel = _Channel(fd)
    try:  # if the machine runs out of memory, the kernel should pick the probe, not the editor
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except Exception:
        pass
    faulthandler.enable(file=sys.__stderr__ or 2)  # a segfault still names the user's line (stderr)
    if getattr(args, "stack_file", None):
        # On timeout the launcher sends SIGUSR2 and reads every thread's Python stack from this file
        # (faulthandler writes it from the signal handler: a main thread stuck in native code too).
        stack_file = open(args.stack_file, "w")
        faulthandler.register(signal.SIGUSR2, file=stack_file, all_threads=True, chain=False)

    base = {
        "event": "start",
        "protocol": PROTOCOL,
        "pid": os.getpid(),
        "executable": sys.executable,
        "python": sys.version.split()[0],
        "script": None,
        "steps": args.steps,
        "device_requested": args.device,
    }
    if args.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # before TensorFlow is imported; the program may still override it
    if "tensorflow" not in sys.modules and importlib.util.find_spec("tensorflow") is None:
        base.update(
            event="fatal",
            status="no-tensorflow",
            message=(
                "TensorFlow is not installed in %s (Python %s). Install it there with "
                "`%s -m pip install tensorflow` (or tensorflow-cpu), or point gradls at the interpreter "
                "that has it." % (sys.executable, sys.version.split()[0], sys.executable)
            ),
        )
        channel.emit(base)
        return 3
    run_name = "__main__"
    if getattr(args, "module", False):
        sys.path[0] = os.getcwd()  # as `python -m`: the working directory comes first
        try:
            script, run_name = _resolve_module(args.script)
        except Exception as exc:
            base.update(event="fatal", status="error", message="cannot run module %s: %s" % (args.script, exc))
            channel.emit(base)
            return 3
    else:
        script = os.path.realpath(args.script)
        if not os.path.isfile(script):
            base.update(event="fatal", status="error", message="no such file: %s" % script)
            channel.emit(base)
            return 3
    base["script"] = script
    channel.emit(base)

    locator = _Locator(script)
    session = _Session(channel, locator, args, base)
    watcher = session.watcher
    sys.meta_path.insert(0, watcher)
    if "tensorflow" in sys.modules:  # the warm worker imported it before forking
        watcher.pending.discard("tensorflow")
        if "keras" in sys.modules:
            watcher.pending.discard("keras")
            session.keras_module = sys.modules["keras"]
        session.on_loaded("tensorflow", sys.modules["tensorflow"])

    exit_code = 0
    reason = "finished"
    try:
        if getattr(args, "module", False):
            import runpy

            sys.argv = [script] + list(args.args)
            mod_name = run_name[: -len(".__main__")] if run_name.endswith(".__main__") else run_name
            runpy.run_module(mod_name, run_name="__main__", alter_sys=True)
        else:
            # Run the script the way `python script.py args` would: as __main__, its directory on sys.path.
            sys.argv = [args.script] + list(args.args)
            sys.path[0] = os.path.dirname(script)
            module = types.ModuleType("__main__")
            module.__dict__.update(
                {
                    "__file__": script,
                    "__builtins__": __builtins__,
                    "__spec__": None,
                    "__loader__": None,
                    "__package__": None,
                    "__cached__": None,
                }
            )
            sys.modules["__main__"] = module
            with open(script, "rb") as fh:
                code = compile(fh.read(), script, "exec")
            exec(code, module.__dict__)
    except SystemExit as exc:
        reason = "exit"
        if exc.code is None:
            exit_code = 0
        elif isinstance(exc.code, int):
            exit_code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            exit_code = 1
        if session.probe is not None and session.probe.stop_requested:
            reason = "steps"
    except KeyboardInterrupt as exc:
        if session.probe is not None and session.probe.stop_requested:
            reason = "steps"  # our own interrupt, after the last step: the program unwound as on Ctrl+C
        else:
            reason, exit_code = "exception", 130
            session.record_program_error(exc)
            _print_user_traceback(exc)
    except BaseException as exc:  # the user's uncaught exception: report it where it was raised
        reason = "exception"
        exit_code = 1
        if session.probe is not None and session.probe.stop_requested and isinstance(exc, _StepLimitReached):
            reason, exit_code = "steps", 0
        else:
            session.record_program_error(exc)
            _print_user_traceback(exc)
    if reason == "finished" and session.probe is not None and session.probe.stop_requested:
        reason = "steps"  # the program caught the interrupt and ended on its own
    if session.probe is None and reason in ("finished", "exit"):
        channel.emit({"event": "note", "message": "the program never imported TensorFlow: no gradient was observed"})
    if session.probe is not None:
        try:
            session.probe.flush_xla()
            session.probe.flush_unreported()
        except Exception:
            pass
    _finish(channel, reason, exit_code, session.probe.steps if session.probe else 0, channel.dropped)
    return exit_code  # not reached: _finish leaves with os._exit (user threads must not keep us alive)


if __name__ == "__main__":
    sys.exit(main())
