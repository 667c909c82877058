"""Probe benchmarks (printed, never asserted).

1. Instrumentation overhead: the same N training steps run plainly and under the probe
   (eager custom loop, graph-mode fit, and a tight loop calling one tf.function train step). The
   script times its own training loop (wall and process CPU time), so TensorFlow's import is
   excluded; whole-process times are printed too. Medians over the repeats, with the spread of
   the per-repeat ratios. Then tight tf.function loops with both sides in one process (an MLP, a
   GAN step with two optimizers and an inner tape, a loss-scaled mixed_float16 MLP), in many short
   rounds alternating plain / probed (a load burst hits both sides of a round alike): the figure is
   the median of the per-round ratios, with their quartiles.
   `--baseline REV` (a git revision, or a runner.py file) measures that runner in the same run,
   interleaved with the current one (plain / probed now / probed baseline, the order rotating each
   repeat), so a before/after comparison shares the machine's load.
2. Time to first result: probing a 100-epoch Keras script (stopped after 3 steps), next to the
   bare cost of `python -c "import tensorflow"`.
3. Re-probe: the same small eager script run plainly, probed cold (fresh interpreter) and probed
   again through the opt-in warm worker (TensorFlow already imported; the worker's own start is
   printed separately, it is paid once per interpreter/environment).

    /tmp/gvenv/bin/python bench/bench_probe.py [--python INTERP] [--repeats 5] [--steps 30] [--function-steps 600]
        [--no-control]
        [--rounds 42] [--modes eager,fit,function] [--kinds mlp,gan,loss_scaled] [--baseline REV|FILE]
        [--runner FILE] [--reprobe-only | --overhead-only]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

from gradls.probe import launcher
from gradls.probe.launcher import RUNNER_PATH, run_probe
from gradls.probe.warm import WarmWorkerPool

TRAIN = textwrap.dedent("""
    import sys, time
    import numpy as np
    import keras
    import tensorflow as tf

    mode, steps = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(0)
    x = rng.random((128 * steps, 784), dtype=np.float32)
    y = rng.integers(0, 10, 128 * steps)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.Adam(1e-3)
    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "function":
        # A tight tf.function loop: one traced train step called per batch (the first call traces
        # it and is left out of the timing: steady-state per-call cost is what is compared).
        @tf.function
        def train_step(xb, yb):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        xs, ys = tf.constant(x), tf.constant(y)
        train_step(xs[:128], ys[:128])
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(1, steps):
            train_step(xs[i * 128:(i + 1) * 128], ys[i * 128:(i + 1) * 128])
    elif mode == "eager":
        xs, ys = tf.constant(x), tf.constant(y)
        for i in range(steps):
            xb, yb = xs[i * 128:(i + 1) * 128], ys[i * 128:(i + 1) * 128]
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
    else:
        model.compile(optimizer=opt, loss=loss_fn, jit_compile=False)
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    print("LOOP_SECONDS %.4f %.4f" % (time.perf_counter() - start, time.process_time() - cpu_start))
""")

# Tight tf.function loops in ONE process, so that both sides share the machine's state: the plain
# train step is traced before the probe's instrumentation is installed and called through the
# original tf.function entry; the probed one is traced after it, with sampling on (as a probe with
# --steps above 20 has it), and called through the probe's entry (its per-call bookkeeping
# included). Three steps: an MLP (one gradient site), a GAN (two tapes, two optimizers, a gradient
# penalty's inner tape) and a mixed_float16 MLP with a loss-scale optimizer (a scaled tape and the
# inner optimizer's apply). Each step slices its batch, as a loop feeding batches does (the first
# eager op after a graph call pays ~0.2 ms on this machine, whoever makes it: without one, the
# probe's read of its counts would pay it). Rounds alternate plain / probed, each side first in
# every other round.
IN_PROCESS = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import keras
    import tensorflow as tf
    from tensorflow.python.eager.polymorphic_function import polymorphic_function

    sys.path.insert(0, sys.argv[1])
    import runner

    kind, steps, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if kind == "loss_scaled":
        keras.mixed_precision.set_global_policy("mixed_float16")
    rng = np.random.default_rng(0)
    xs = tf.constant(rng.random((8 * 128, 784), dtype=np.float32))
    ys = tf.constant(rng.integers(0, 10, 8 * 128))
    x, y = xs[:128], ys[:128]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def mlp(out=10):
        return keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                                 keras.layers.Dense(256, activation="relu"), keras.layers.Dense(out)])

    def make():
        if kind == "gan":
            gen = keras.Sequential([keras.Input((64,)), keras.layers.Dense(256, activation="relu"),
                                    keras.layers.Dense(784)])
            disc = mlp(1)
            d_opt, g_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
            noise = tf.constant(rng.random((128, 64), dtype=np.float32))

            @tf.function
            def train_step(xb, yb):
                with tf.GradientTape() as d_tape:
                    fake = gen(noise)
                    with tf.GradientTape() as gp_tape:
                        gp_tape.watch(fake)
                        critic = disc(fake)
                    slope = gp_tape.gradient(critic, fake)
                    d_loss = tf.reduce_mean(tf.nn.softplus(critic) + tf.nn.softplus(-disc(xb)))
                    d_loss += tf.reduce_mean((tf.norm(slope, axis=1) - 1.0) ** 2)
                d_grads = d_tape.gradient(d_loss, disc.trainable_variables)
                d_opt.apply_gradients(zip(d_grads, disc.trainable_variables))
                with tf.GradientTape() as g_tape:
                    g_loss = tf.reduce_mean(tf.nn.softplus(-disc(gen(noise))))
                g_grads = g_tape.gradient(g_loss, gen.trainable_variables)
                g_opt.apply_gradients(zip(g_grads, gen.trainable_variables))
                return g_loss
            return train_step
        model = mlp()
        opt = keras.optimizers.Adam(1e-3)
        if kind == "loss_scaled":
            opt = keras.optimizers.LossScaleOptimizer(opt)

        @tf.function
        def train_step(xb, yb):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, tf.cast(model(xb, training=True), tf.float32))
                scaled = opt.scale_loss(loss) if kind == "loss_scaled" else loss
            grads = tape.gradient(scaled, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        return train_step

    original_call = polymorphic_function.Function.__call__
    plain = make()
    original_call(plain, x, y)
    channel = runner._Channel(os.open(os.devnull, os.O_WRONLY))
    locator = runner._Locator(os.path.realpath(__file__))
    locator.executing_eagerly = tf.executing_eagerly
    probe = runner._Probe(channel, locator, 10**9, tf, None)
    runner._ACTIVE_PROBE = probe
    probe.install()
    probe.install_keras(keras)
    probed = make()
    probed(x, y)
    assert probe.sampling and probe.sampling["entries"] and not probe.sampling["forced"], "not sampled"
    print("SITES %d" % len(probe.sampling["entries"]))

    def timed(call):
        # Each step takes the next batch (eager slices, as a real loop feeding batches does).
        t, c = time.perf_counter(), time.process_time()
        for i in range(steps):
            j = (i % 8) * 128
            call(xs[j : j + 128], ys[j : j + 128])
        return time.perf_counter() - t, time.process_time() - c

    sides = [("plain", lambda xb, yb: original_call(plain, xb, yb)), ("probed", probed)]
    for r in range(rounds):
        for side, call in sides if r % 2 == 0 else sides[::-1]:  # neither side always runs second
            print("IN_PROCESS %s %.4f %.4f" % ((side,) + timed(call)))
""")

SMALL_EAGER = textwrap.dedent("""
    import tensorflow as tf
    w = tf.Variable([1.0, 2.0])
    for _ in range(5):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * w)
        tape.gradient(loss, [w])
""")

SMALL_KERAS = textwrap.dedent("""
    import numpy as np
    import keras
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.random.rand(256, 8), np.random.rand(256, 1), epochs=100, batch_size=32, verbose=0)
""")


def loop_seconds(text: str) -> tuple[float, float]:
    """(wall, CPU) seconds of the training loop, as the script measured them. CPU time (all of
    the process's threads) moves far less than wall time when other work shares the machine."""
    m = re.search(r"LOOP_SECONDS ([0-9.]+) ([0-9.]+)", text)
    if not m:
        raise RuntimeError("no timing in output:\n" + text[-2000:])
    return float(m.group(1)), float(m.group(2))


def plain(python: str, script: str, *args: str) -> tuple[float, tuple[float, float]]:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2")
    t = time.perf_counter()
    out = subprocess.run([python, script, *args], capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - t, loop_seconds(out)


def probed(
    python: str, script: str, steps: int, expected_steps: int, *args: str, runner: str | None = None
) -> tuple[float, tuple[float, float], dict]:
    t = time.perf_counter()
    saved = launcher.RUNNER_PATH
    if runner is not None:
        launcher.RUNNER_PATH = runner  # type: ignore[assignment]  # the launcher copies it per run
    try:
        rep = run_probe(
            script, interpreter=python, steps=steps, args=args, env={"CUDA_VISIBLE_DEVICES": "-1"}, timeout=600
        )
    finally:
        launcher.RUNNER_PATH = saved
    wall = time.perf_counter() - t
    if rep["status"] != "ok" or rep["steps_observed"] != expected_steps:
        raise RuntimeError("probe did not run cleanly: %s %s" % (rep["status"], rep["message"]))
    return wall, loop_seconds(rep["stdout"]), rep


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=os.environ.get("GRADLS_TF_PYTHON", sys.executable))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--rounds",
        type=int,
        default=42,
        help="rounds of the in-process loops per process, each plain and probed for --function-steps / 12 steps",
    )
    ap.add_argument("--modes", default="eager,fit,function", help="separate-process modes of section 1")
    ap.add_argument("--kinds", default="mlp,gan,loss_scaled", help="in-process loops of section 1")
    ap.add_argument(
        "--baseline",
        help="also measure this runner, interleaved with the current one: a git revision or a runner.py file",
    )
    ap.add_argument(
        "--runner",
        help="measure this runner.py file as the current one (a frozen copy: edits made meanwhile do not count)",
    )
    ap.add_argument("--steps", type=int, default=30, help="steps of the eager loop and of fit")
    ap.add_argument(
        "--function-steps",
        type=int,
        default=600,
        help="steps of the tight tf.function loop (its first 20 steps are all reported: a longer loop shows the steady state)",
    )
    ap.add_argument(
        "--no-control", dest="control", action="store_false", help="skip the plain-vs-plain noise-floor runs"
    )
    ap.add_argument("--overhead-only", action="store_true", help="run section 1 only")
    ap.add_argument("--reprobe-only", action="store_true", help="run section 3 only")
    ns = ap.parse_args()
    print(
        "machine: %d CPUs, load average %.1f (timings are noisy on a shared machine)"
        % (os.cpu_count(), os.getloadavg()[0])
    )
    with tempfile.TemporaryDirectory() as d:
        train = os.path.join(d, "train.py")
        small = os.path.join(d, "small_keras.py")
        open(train, "w").write(TRAIN)
        open(small, "w").write(SMALL_KERAS)

        env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2")
        runners = {"now": ns.runner or str(RUNNER_PATH)}
        if ns.baseline:
            runners["baseline"] = baseline_runner(ns.baseline, d)
            print("baseline runner: %s" % ns.baseline)
        ns.runners = runners
        if not ns.reprobe_only:
            sections_1_2(ns, train, small, env)
        if not ns.overhead_only:
            reprobe(ns, d, env)
    return 0


def baseline_runner(spec: str, d: str) -> str:
    """A runner.py for --baseline: the file itself, or the one at a git revision."""
    if os.path.isfile(spec):
        return spec
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = subprocess.run(
        ["git", "show", "%s:server/gradls/probe/runner.py" % spec], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    folder = os.path.join(d, "baseline")
    os.makedirs(folder)
    path = os.path.join(folder, "runner.py")
    with open(path, "w") as fh:
        fh.write(text)
    return path


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def _ratios(
    label: str, pairs: list[tuple[float, float]], unit: str, paired: bool = False, sides: tuple = ("plain", "probed")
) -> str:
    """'wall plain 1.234 s, probed 1.300 s -> x1.05 [x0.98-x1.12]': medians, and the spread of the
    per-repeat ratios (each repeat's plain and probed run back to back). paired: the figure is the
    median of the per-pair ratios and the spread their quartiles (many short pairs)."""
    plain_med, probed_med = _median([p for p, _ in pairs]), _median([q for _, q in pairs])
    per_pair = sorted(q / p for p, q in pairs)
    if paired and len(per_pair) >= 4:
        quartiles = statistics.quantiles(per_pair, n=4)
        return "%s %s %.3f %s, %s %.3f %s -> x%.3f [quartiles x%.3f-x%.3f]" % (
            label,
            sides[0],
            plain_med,
            unit,
            sides[1],
            probed_med,
            unit,
            _median(per_pair),
            quartiles[0],
            quartiles[2],
        )
    text = "%s %s %.3f %s, %s %.3f %s -> x%.3f [x%.2f-x%.2f]" % (
        label,
        sides[0],
        plain_med,
        unit,
        sides[1],
        probed_med,
        unit,
        probed_med / plain_med,
        per_pair[0],
        per_pair[-1],
    )
    if len(per_pair) >= 4:  # the per-repeat ratios' median and quartiles: one slow process moves them less
        quartiles = statistics.quantiles(per_pair, n=4)
        text += " (pairs: x%.3f [quartiles x%.3f-x%.3f])" % (_median(per_pair), quartiles[0], quartiles[2])
    return text


def sections_1_2(ns, train: str, small: str, env: dict) -> None:
    names = list(ns.runners)
    print(
        "\n1. instrumentation overhead, MLP 784-256-256-10, batch 128: medians of %d repeats (plain and probed "
        "back to back%s), [spread of the per-repeat ratios]"
        % (ns.repeats, ", runners %s, the order rotating" % " / ".join(names) if len(names) > 1 else "")
    )
    modes = [
        (m, s) for m, s in (("eager", ns.steps), ("fit", ns.steps), ("function", ns.function_steps)) if m in ns.modes
    ]
    for mode, steps in modes:
        # The probe stops at step steps+1, so the script does exactly `steps` steps either way.
        load_before = os.getloadavg()[0]
        walls: dict = {n: [] for n in names}
        loops: dict = {n: [] for n in names}
        cpus: dict = {n: [] for n in names}
        # A second plain process per repeat: plain against plain is the noise floor of this
        # measurement (processes of one script differ by up to ~20% here, whatever the probe does).
        control_loops: list = []
        control_cpus: list = []
        for r in range(ns.repeats):  # interleaved, so load drifts hit every side alike
            order = names[r % len(names) :] + names[: r % len(names)]
            p_wall, (p_loop, p_cpu) = plain(ns.python, train, mode, str(steps))
            if ns.control:
                c_loop, c_cpu = plain(ns.python, train, mode, str(steps))[1]
                control_loops.append((p_loop, c_loop))
                control_cpus.append((p_cpu, c_cpu))
            for name in order:
                q_wall, (q_loop, q_cpu) = probed(
                    ns.python, train, steps + 1, steps, mode, str(steps), runner=ns.runners[name]
                )[:2]
                walls[name].append((p_wall, q_wall))
                loops[name].append((p_loop, q_loop))
                cpus[name].append((p_cpu, q_cpu))
        label = {"eager": "eager loop", "fit": "fit", "function": "tf.function loop"}[mode]
        print("   %s: load average %.1f -> %.1f" % (label, load_before, os.getloadavg()[0]))
        for name in names:
            tag = " [%s]" % name if len(names) > 1 else ""
            print(
                "   %-16s %4d steps%s: %s; %s"
                % (label, steps, tag, _ratios("wall", loops[name], "s"), _ratios("CPU", cpus[name], "s"))
            )
            print("   %-16s whole process%s: %s" % ("", tag, _ratios("wall", walls[name], "s")))
        if control_loops:
            print(
                "   %-16s plain vs plain (noise floor): %s; %s"
                % (
                    "",
                    _ratios("wall", control_loops, "s", sides=("plain", "plain again")),
                    _ratios("CPU", control_cpus, "s", sides=("plain", "plain again")),
                )
            )

    inproc = os.path.join(os.path.dirname(train), "in_process.py")
    with open(inproc, "w") as fh:
        fh.write(IN_PROCESS)
    rounds = ns.rounds
    block = max(1, ns.function_steps // 12)
    kinds = [
        (k, label) for k, label in (("mlp", "MLP"), ("gan", "GAN"), ("loss_scaled", "loss-scaled MLP")) if k in ns.kinds
    ]
    for kind, label in kinds:
        # One process per runner, repeated (the order rotating), each with `rounds` short rounds
        # (a load burst hits both sides of a round alike): the per-round ratios of every process are
        # pooled, and their median is the figure.
        walls = {n: [] for n in names}
        cpus = {n: [] for n in names}
        sites = {}
        load_before = os.getloadavg()[0]
        for r in range(max(1, ns.repeats // 2)):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                out = subprocess.run(
                    [ns.python, inproc, os.path.dirname(ns.runners[name]), kind, str(block), str(rounds)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout
                rows = [
                    (m.group(1), float(m.group(2)), float(m.group(3)))
                    for m in re.finditer(r"IN_PROCESS (\w+) (\S+) (\S+)", out)
                ]
                plain_rows = [(w, c) for side, w, c in rows if side == "plain"]
                probed_rows = [(w, c) for side, w, c in rows if side == "probed"]
                walls[name] += [(p[0], q[0]) for p, q in zip(plain_rows, probed_rows)]
                cpus[name] += [(p[1], q[1]) for p, q in zip(plain_rows, probed_rows)]
                found = re.search(r"SITES (\d+)", out)
                sites[name] = found.group(1) if found else "?"
        print(
            "   tf.function loop, one process, %s: load average %.1f -> %.1f" % (label, load_before, os.getloadavg()[0])
        )
        for name in names:
            tag = " [%s]" % name if len(names) > 1 else ""
            print(
                "   tf.function loop, one process, %s%s (%s sampled sites), %d steps x %d rounds alternating: %s; %s"
                % (
                    label,
                    tag,
                    sites[name],
                    block,
                    len(cpus[name]),
                    _ratios("wall", walls[name], "s", paired=True),
                    _ratios("CPU", cpus[name], "s", paired=True),
                )
            )
    if ns.overhead_only:
        return
    print("\n2. time to first result: 100-epoch Keras fit, stopped after 3 steps (best of %d)" % ns.repeats)
    imports = []
    for _ in range(ns.repeats):
        t = time.perf_counter()
        subprocess.run([ns.python, "-c", "import tensorflow"], env=env, check=True, capture_output=True)
        imports.append(time.perf_counter() - t)
    runs = []
    for _ in range(ns.repeats):
        t = time.perf_counter()
        rep = run_probe(small, interpreter=ns.python, steps=3, env={"CUDA_VISIBLE_DEVICES": "-1"})
        runs.append(time.perf_counter() - t)
        assert rep["stopped_after_steps"], rep["message"]
    print("   `python -c 'import tensorflow'`: %.2f s" % min(imports))
    print(
        "   probe, report in hand:          %.2f s (of which beyond the import: %.2f s)"
        % (min(runs), min(runs) - min(imports))
    )


def reprobe(ns, d: str, env: dict) -> None:
    print("\n3. re-probe of a small eager script (3 gradient steps), best of %d" % ns.repeats)
    eager = os.path.join(d, "small_eager.py")
    open(eager, "w").write(SMALL_EAGER)
    cpu = {"CUDA_VISIBLE_DEVICES": "-1"}
    plain_runs, cold_runs, warm_runs, imports = [], [], [], []
    pool = WarmWorkerPool()
    try:
        t = time.perf_counter()
        first = run_probe(eager, interpreter=ns.python, steps=3, env=cpu, warm=True, pool=pool)
        start_cost = time.perf_counter() - t
        assert any("warm worker" in n for n in first["notes"]), first["notes"]
        for _ in range(ns.repeats):
            t = time.perf_counter()
            subprocess.run([ns.python, eager], env=env, check=True, capture_output=True)
            plain_runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run([ns.python, "-c", "import tensorflow"], env=env, check=True, capture_output=True)
            imports.append(time.perf_counter() - t)
            t = time.perf_counter()
            rep = run_probe(eager, interpreter=ns.python, steps=3, env=cpu)
            cold_runs.append(time.perf_counter() - t)
            assert rep["stopped_after_steps"], rep["message"]
            t = time.perf_counter()
            rep = run_probe(eager, interpreter=ns.python, steps=3, env=cpu, warm=True, pool=pool)
            warm_runs.append(time.perf_counter() - t)
            assert rep["stopped_after_steps"] and any("warm worker" in n for n in rep["notes"]), rep["notes"]
        restarts = pool.starts - 1
    finally:
        pool.close()
    own = max(0.0, min(plain_runs) - min(imports))
    print(
        "   plain `python script.py`:        %.2f s (of which `import tensorflow`: %.2f s, the script's own work: %.2f s)"
        % (min(plain_runs), min(imports), own)
    )
    print("   probe, cold (fresh interpreter): %.2f s" % min(cold_runs))
    print(
        "   probe, warm worker re-probe:     %.2f s (%+.2f s beyond the script's own work; worker start, paid once: %.2f s%s)"
        % (min(warm_runs), min(warm_runs) - own, start_cost, ", %d unexpected restarts" % restarts if restarts else "")
    )


if __name__ == "__main__":
    sys.exit(main())
