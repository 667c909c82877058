"""The probe report (versioned JSON, see docs/probe-report.md): built from the runner's events,
summarised, and rendered as readable text. No TensorFlow here: the server imports this."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from typing import Any

REPORT_VERSION = 1
RUNNER_PROTOCOL = 1

STATUSES = ("ok", "gradient-problems", "error", "timeout", "killed", "cancelled", "no-tensorflow")
# Source statuses that mean "this variable does not learn".
PROBLEM_STATUSES = ("none", "zero", "nan", "inf")
# "skipped": the gradient overflowed under loss scaling, and the loss-scale optimizer skipped that
# update by design (it lowers the scale): not a NaN/Inf problem of the model.
SOURCE_STATUSES = PROBLEM_STATUSES + ("ok", "unobserved", "skipped")
# Verdicts of a problem: "broken" (None or zero at every observed step, NaN/Inf still there at the
# last one) makes the probe fail; "watch" (at some steps only, then recovered) is reported, not failed.
VERDICTS = ("broken", "watch")

STATUS_WORDS = {
    "none": "no gradient (None)",
    "zero": "all-zero gradient",
    "nan": "NaN in gradient",
    "inf": "Inf in gradient",
    "ok": "ok",
    "unobserved": "not observed (XLA-compiled)",
    "skipped": "overflow, update skipped by the loss-scale optimizer",
    "vanishing": "vanishing gradient",
    "exploding": "exploding gradient",
}
# Gradient dynamics (problem statuses of verdict "watch"): the norms of one computation's layers
# differ by at least this many orders of magnitude, first layer smallest (vanishing) or largest
# (exploding); or one variable's norm grew that much over the steps, to above _EXPLODED_NORM.
DYNAMICS_STATUSES = ("vanishing", "exploding")
_DYNAMICS_ORDERS = 4.0
_EXPLODED_NORM = 1e3
_MIN_LAYERS = 3


def new_report(file: str, interpreter: str, steps: int, device: str) -> dict[str, Any]:
    """A report with every key present, before anything is known."""
    return {
        "version": REPORT_VERSION,
        "status": "error",
        "message": "",
        "file": file,
        "argv": [],
        "interpreter": interpreter,
        "python": None,
        "tensorflow": None,
        "keras": None,
        "device": None,
        "device_name": None,
        "device_requested": device,
        "observed_device": None,
        "steps_requested": steps,
        "steps_observed": 0,
        "stopped_after_steps": False,
        "duration_s": None,
        "gradient_calls": [],
        "problems": [],
        "errors": [],
        "warnings": [],
        "exit": {"code": None, "signal": None, "reason": None},
        "stdout": "",
        "stderr": "",
        "stdout_omitted_bytes": 0,
        "stderr_omitted_bytes": 0,
        "notes": [],
    }


# ---------------------------------------------------------------------------------------------
# Runner events -> report


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _opt_str(x: Any) -> str | None:
    return x if isinstance(x, str) else None


def _location(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("file"), str) or not _is_int(obj.get("line")):
        return None
    out = {"file": obj["file"], "line": obj["line"]}
    if isinstance(obj.get("kind"), str):
        out["kind"] = obj["kind"]
    return out


def _source(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    status = obj.get("status")
    if status not in SOURCE_STATUSES:
        return None
    shape = obj.get("shape")
    if not (isinstance(shape, list) and all(d is None or _is_int(d) for d in shape)):
        shape = None
    norm = obj.get("norm")
    norm = float(norm) if isinstance(norm, (int, float)) and not isinstance(norm, bool) else None
    return {
        "name": obj["name"],
        "kind": _opt_str(obj.get("kind")),
        "shape": shape,
        "dtype": _opt_str(obj.get("dtype")),
        "created_at": _location(obj.get("created_at")),
        "status": status,
        "norm": norm,
        "update_ratio": None,  # filled from the optimizer update's "update-ratio" event
        "weight_norm": None,  # ‖w‖ before that update (same event)
        "zero_entries": obj["zero_entries"] if _is_int(obj.get("zero_entries")) else None,
        "layer": _layer(obj.get("layer")),
    }


def _layer(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    return {k: _opt_str(obj.get(k)) for k in ("name", "class", "activation")}


def _cause(obj: dict[str, Any]) -> dict[str, Any] | None:
    """A runner "cause" event: why a source's gradient is None, or where the first NaN/Inf came from."""
    site = obj.get("site")
    if obj.get("kind") not in ("none", "nan") or not isinstance(site, dict) or not isinstance(obj.get("message"), str):
        return None
    return {
        "kind": obj["kind"],
        "site": {"kind": _opt_str(site.get("kind")), "file": _opt_str(site.get("file")), "line": site.get("line")},
        "source": _opt_str(obj.get("source")),
        "origin": "runtime",
        "op": _opt_str(obj.get("op")),
        "file": _opt_str(obj.get("file")),
        "line": obj.get("line") if _is_int(obj.get("line")) else None,
        "message": obj["message"][:2000],
        "rule": None,
    }


def _gradient_call(obj: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(obj.get("kind"), str) or not isinstance(obj.get("sources"), list):
        return None
    sources = [s for s in (_source(x) for x in obj["sources"]) if s is not None]
    return {
        "kind": obj["kind"],
        "file": _opt_str(obj.get("file")),
        "line": obj.get("line") if _is_int(obj.get("line")) else None,
        "caller": _opt_str(obj.get("caller")),
        "step": obj.get("step") if _is_int(obj.get("step")) else None,
        "mode": _opt_str(obj.get("mode")),
        "replica": obj.get("replica") if _is_int(obj.get("replica")) else None,
        "worker": _opt_str(obj.get("worker")),
        "role": obj.get("role") if obj.get("role") in ("update", "bare", "attached") else "bare",
        "optimizer": _opt_str(obj.get("optimizer")),
        "scaled": obj.get("scaled") is True,
        "sources": sources,
    }


def _message_entry(obj: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        v = obj.get(f)
        out[f] = v if (isinstance(v, str) or _is_int(v)) else None
    return out


def parse_events(lines: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
    """JSON lines -> events; the count of malformed lines (a killed runner may leave half a line)."""
    events, bad = [], 0
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(ev, dict) and isinstance(ev.get("event"), str):
            events.append(ev)
        else:
            bad += 1
    return events, bad


def _mark_skipped(call: dict[str, Any]) -> None:
    """A computation whose gradients a loss-scale optimizer applied: they are scaled, so an
    overflow (NaN/Inf) is a step it skipped, not a broken gradient."""
    call["scaled"] = True
    for src in call["sources"]:
        if src["status"] in ("nan", "inf"):
            src["status"] = "skipped"


def _apply_update(st: dict[str, Any], key: Any) -> None:
    """One optimizer update: it opens the next step when that optimizer already updated in this one;
    the tape computations waiting for an update belong to its step."""
    if key in st["applied"]:
        st["current"] += 1
        st["applied"] = set()
    st["applied"].add(key)
    for call in st["pending"]:
        call["step"] = st["current"]
    st["pending"] = []


def assign_training_steps(stream: list[tuple[str, dict[str, Any]]]) -> None:
    """Label gradient computations with the training step they belong to (see runner._advance).

    `stream` is ("call", gradient call) and ("update", update marker) in the runner's order. A step
    is one optimizer update per optimizer: an optimizer updating again opens the next step; a
    tape computation belongs to the step of the next update. Programs without any update keep the
    runner's labels (one tape computation = one step). Per replica."""
    if not any(kind in ("update", "unreported") or item["role"] == "update" for kind, item in stream):
        return
    states: dict[Any, dict[str, Any]] = {}
    for kind, item in stream:
        st = states.setdefault(item.get("replica"), {"current": 1, "applied": set(), "pending": []})
        if kind == "unreported":  # sampled runs the runner counted without reporting, updates in order
            for key in item["updates"]:
                _apply_update(st, key)
            continue
        if kind == "update" or item["role"] == "update":
            _apply_update(st, item.get("optimizer"))
            consumed = st["pending"] + ([item] if kind == "call" else [])
            st["pending"] = []
            for call in consumed:
                call["step"] = st["current"]
                if item.get("scaled"):
                    _mark_skipped(call)
        elif item["role"] == "attached":
            item["step"] = st["current"]
        else:
            st["pending"].append(item)
    for st in states.values():  # computations of a step whose update never came
        for call in st["pending"]:
            call["step"] = st["current"] + (1 if st["applied"] else 0)


def _attach_update_ratios(call: dict[str, Any] | None, ev: dict[str, Any]) -> None:
    """An optimizer update's ‖Δw‖/‖w‖ per variable, onto the sources of the gradient computation it
    applied (the last one of that replica). The first measurement wins: an update the runner made
    after stopping the count (the step beyond --steps, in a running graph) has no computation of its own."""
    names, ratios = ev.get("names"), ev.get("ratios")
    if call is None or not isinstance(names, list) or not isinstance(ratios, list):
        return
    raw_norms = ev.get("weight_norms")
    norms: list[Any] = raw_norms if isinstance(raw_norms, list) else [None] * len(names)
    by_name = {s["name"]: s for s in call["sources"]}
    for name, ratio, norm in zip(names, ratios, norms):
        src = by_name.get(name) if isinstance(name, str) else None
        if src is None or src.get("update_ratio") is not None:
            continue
        if _finite_number(ratio) and ratio >= 0:
            src["update_ratio"] = float(ratio)
            if _finite_number(norm) and norm >= 0:
                src["weight_norm"] = float(norm)


def _finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def apply_events(report: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold the runner's events into `report` (validated: the runner runs next to user code)."""
    stream: list[tuple[str, dict[str, Any]]] = []
    last_call: dict[int | None, dict[str, Any]] = {}  # per replica: where an update's ratios belong
    unreported_steps = 0  # the last step the runner counted without reporting it (sampling)
    unreported_runs = 0
    sampling: dict[str, Any] | None = None
    for ev in events:
        kind = ev["event"]
        if kind in ("start", "fatal"):
            for key in ("python", "tensorflow", "keras", "device", "device_name"):
                if isinstance(ev.get(key), str):
                    report[key] = ev[key]
            if isinstance(ev.get("executable"), str):
                report["interpreter"] = ev["executable"]
            if report.get("module") and isinstance(ev.get("script"), str):
                report["file"] = ev["script"]  # `-m package.module`: the file the runner resolved
            if kind == "fatal":
                report["runner_status"] = ev.get("status") if ev.get("status") in STATUSES else "error"
                report["message"] = str(ev.get("message", ""))
        elif kind == "tensorflow":  # the program imported TensorFlow (then Keras): what it runs on
            for key in ("tensorflow", "keras", "device", "device_name"):
                if isinstance(ev.get(key), str):
                    report[key] = ev[key]
        elif kind == "note" and isinstance(ev.get("message"), str):
            report["notes"].append(ev["message"][:2000])
        elif kind == "device" and isinstance(ev.get("device"), str):
            report["observed_device"] = ev["device"]
        elif kind == "gradient":
            call = _gradient_call(ev)
            if call is not None:
                report["gradient_calls"].append(call)
                stream.append(("call", call))
                if call["role"] != "attached":
                    last_call[call["replica"]] = call
        elif kind == "unreported" and _is_int(ev.get("count")) and ev["count"] > 0:
            if _is_int(ev.get("step")):
                unreported_steps = max(unreported_steps, ev["step"])
            unreported_runs += ev["count"]
            raw_updates = ev.get("updates")
            if isinstance(raw_updates, list):
                updates = [u for u in (_opt_str(x) for x in raw_updates) if u is not None]
            else:  # one optimizer, `count` updates
                single = _opt_str(ev.get("optimizer"))
                updates = [single] * ev["count"] if single is not None else []
            if not updates:
                continue  # tape computations without an optimizer: the runner's labels stand
            replica = ev.get("replica") if _is_int(ev.get("replica")) else None
            stream.append(("unreported", {"replica": replica, "updates": updates, "role": "update"}))
        elif kind == "sampling":
            sampling = {
                key: ev[key] if _is_int(ev.get(key)) else None for key in ("every_step_until", "every", "from_step")
            }
        elif kind == "cause":
            cause = _cause(ev)
            if cause is not None:
                report.setdefault("causes", []).append(cause)
        elif kind == "update-ratio":
            _attach_update_ratios(last_call.get(ev.get("replica") if _is_int(ev.get("replica")) else None), ev)
        elif kind == "update":
            stream.append(
                (
                    "update",
                    {
                        "replica": ev.get("replica") if _is_int(ev.get("replica")) else None,
                        "optimizer": _opt_str(ev.get("optimizer")),
                        "scaled": ev.get("scaled") is True,
                    },
                )
            )
        elif kind == "error":
            entry = _message_entry(ev, ("type", "message", "file", "line", "category", "during", "step"))
            if entry["category"] not in ("gradient", "program"):
                entry["category"] = "program"
            report["errors"].append(entry)
        elif kind == "warning":
            report["warnings"].append(_message_entry(ev, ("category", "message", "file", "line", "step")))
        elif kind == "internal-error":
            report["notes"].append("probe internal error (the program went on): %s" % str(ev.get("message", ""))[:2000])
        elif kind == "done":
            reason = ev.get("reason")
            report["exit"]["reason"] = "stopped-after-steps" if reason == "steps" else reason
            if _is_int(ev.get("exit_code")):
                report["exit"]["code"] = ev["exit_code"]
            report["stopped_after_steps"] = ev.get("reason") == "steps"
            if _is_int(ev.get("dropped_events")) and ev["dropped_events"]:
                report["notes"].append(
                    "%d gradient computations beyond the first 2000 were not recorded" % ev["dropped_events"]
                )
    assign_training_steps(stream)
    for call in report["gradient_calls"]:
        if call["scaled"]:
            _mark_skipped(call)
    steps = [c["step"] for c in report["gradient_calls"] if c["step"] is not None] + [unreported_steps]
    report["steps_observed"] = max(steps)
    if sampling is not None:
        reported = sorted({c["step"] for c in report["gradient_calls"] if _is_int(c["step"])})
        sampling["reported_steps"] = reported
        sampling["unreported_runs"] = unreported_runs
        report["sampling"] = sampling
    report["problems"] = summarize_problems(report["gradient_calls"]) + gradient_dynamics(report["gradient_calls"])
    attach_causes(report)
    return report


_RELU_LIKE = ("relu", "relu6")


def attach_causes(report: dict[str, Any]) -> None:
    """Give each None / zero / NaN / Inf problem a `cause` when one is known (a static one attached
    before, by gradls.probe.causes, is kept):
    - None: the runner's recorded op path (see runner._Probe._none_cause);
    - zero: dead units of a ReLU layer (the zero entries of its bias gradient at that step: units no
      example activates), else another variable of the same computation that was all zeros before
      that step's update (a zero-initialised factor: a LoRA B = 0 zeroes A's gradient);
    - NaN/Inf: the first op that produced one (runtime), for the first such problem of a site."""
    runtime = report.get("causes") or []
    calls = report["gradient_calls"]
    for p in report["problems"]:
        if p.get("cause"):
            continue
        site = (p["kind"], p["file"], p["line"])
        cause = None
        if p["status"] == "none":
            cause = next(
                (
                    dict(c)
                    for c in runtime
                    if c["kind"] == "none"
                    and c["source"] == p["source"]
                    and (c["site"]["kind"], c["site"]["file"], c["site"]["line"]) == site
                ),
                None,
            )
        elif p["status"] in ("nan", "inf"):
            taken = any(
                q.get("cause")
                for q in report["problems"]
                if q is not p and q["status"] in ("nan", "inf") and (q["kind"], q["file"], q["line"]) == site
            )
            if not taken:
                cause = next(
                    (
                        dict(c)
                        for c in runtime
                        if c["kind"] == "nan" and (c["site"]["kind"], c["site"]["file"], c["site"]["line"]) == site
                    ),
                    None,
                )
        elif p["status"] == "zero":
            cause = _zero_cause(p, [c for c in calls if (c["kind"], c["file"], c["line"]) == site])
        if cause is not None:
            cause.pop("site", None)
            p["cause"] = cause


def _zero_cause(problem: dict[str, Any], calls: list[dict[str, Any]]) -> dict[str, Any] | None:
    for call in calls:
        if call["step"] not in problem["steps"]:
            continue
        by_name = {s["name"]: s for s in call["sources"]}
        src = by_name.get(problem["source"])
        if src is None or src["status"] != "zero":
            continue
        layer = src.get("layer")
        if layer and layer.get("activation") in _RELU_LIKE and layer.get("name"):
            bias = next(
                (
                    s
                    for s in call["sources"]
                    if s.get("layer") == layer
                    and s["shape"] is not None
                    and len(s["shape"]) == 1
                    and s["zero_entries"] is not None
                ),
                None,
            )
            if bias is not None and bias["shape"][0]:
                units = bias["shape"][0]
                return {
                    "kind": "zero",
                    "origin": "runtime",
                    "op": None,
                    "file": src["created_at"]["file"] if src["created_at"] else None,
                    "line": src["created_at"]["line"] if src["created_at"] else None,
                    "message": "ReLU layer %s: %d/%d units inactive at step %s (no example in the batch activates "
                    "them, so nothing flows back through them)"
                    % (layer["name"], bias["zero_entries"], units, call["step"]),
                    "rule": None,
                }
        for other in call["sources"]:
            if other is src or other.get("weight_norm") != 0.0 or not other["shape"] or len(other["shape"]) < 2:
                continue  # a factor is a matrix (a LoRA B), not a bias that starts at zero
            made = other["created_at"]
            return {
                "kind": "zero",
                "origin": "runtime",
                "op": None,
                "file": made["file"] if made else None,
                "line": made["line"] if made else None,
                "message": "`%s` is all zeros at step %s (a zero-initialised factor): the gradient of `%s` is "
                "multiplied by it" % (other["name"], call["step"], problem["source"]),
                "rule": None,
            }
        dead = _dead_layer(call)
        if dead is not None:
            layer, units, made = dead
            return {
                "kind": "zero",
                "origin": "runtime",
                "op": None,
                "file": made["file"] if made else None,
                "line": made["line"] if made else None,
                "message": "ReLU layer %s before it has %d/%d units inactive at step %s: its output is all zeros"
                % (layer, units, units, call["step"]),
                "rule": None,
            }
    return None


def _dead_layer(call: dict[str, Any]) -> tuple[str, int, dict[str, Any] | None] | None:
    """A ReLU layer of this computation whose every unit is inactive (bias gradient all zeros)."""
    for s in call["sources"]:
        layer = s.get("layer")
        if (
            layer
            and layer.get("activation") in _RELU_LIKE
            and s["shape"] is not None
            and len(s["shape"]) == 1
            and s["shape"][0]
            and s["zero_entries"] == s["shape"][0]
        ):
            return str(layer.get("name")), s["shape"][0], s["created_at"]
    return None


def _layer_norms(call: dict[str, Any]) -> list[tuple[dict[str, Any], float]]:
    """(source, norm) of a computation's weight matrices in the order given (a model's layers in
    order: first layer first), or of all its sources when fewer than _MIN_LAYERS are matrices;
    only finite, non-zero norms."""
    measured = [
        (s, s["norm"]) for s in call["sources"] if s["status"] == "ok" and s["norm"] is not None and s["norm"] > 0
    ]
    matrices = [(s, n) for s, n in measured if s["shape"] is not None and len(s["shape"]) >= 2]
    return matrices if len(matrices) >= _MIN_LAYERS else measured


def gradient_dynamics(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ "watch" problems for vanishing and exploding gradients, one per call site and kind.

    Across depth: at each step, log10(first layer's norm / last layer's norm) among the site's
    layers (at least _MIN_LAYERS); when its median over the steps is <= -_DYNAMICS_ORDERS the
    gradient vanishes towards the input (a deep sigmoid net), >= +_DYNAMICS_ORDERS it explodes.
    Over steps: a variable whose norm grew by _DYNAMICS_ORDERS orders of magnitude from its first
    observed step to its last, ending above _EXPLODED_NORM, explodes."""
    by_site: dict[tuple, list[dict[str, Any]]] = {}
    for call in calls:
        if call["mode"] == "xla" or call["scaled"]:
            continue
        by_site.setdefault((call["kind"], call["file"], call["line"]), []).append(call)
    out: list[dict[str, Any]] = []
    for (kind, file, line), site_calls in by_site.items():
        spans: list[tuple[float, int | None, list[tuple[dict[str, Any], float]]]] = []
        for call in site_calls:
            layers = _layer_norms(call)
            if len(layers) >= _MIN_LAYERS:
                spans.append((math.log10(layers[0][1] / layers[-1][1]), call["step"], layers))
        if spans:
            ordered = sorted(x[0] for x in spans)
            median = ordered[len(ordered) // 2]
            if abs(median) >= _DYNAMICS_ORDERS:
                status = "vanishing" if median < 0 else "exploding"
                held = [x for x in spans if (x[0] <= -_DYNAMICS_ORDERS if median < 0 else x[0] >= _DYNAMICS_ORDERS)]
                _, _, layers = held[-1]
                first, last = layers[0], layers[-1]
                detail = (
                    "%s gradient: its norm %s from %.2g at `%s` (last layer) to %.2g at `%s` (first layer), "
                    "%.1f orders of magnitude across %d layers%s"
                    % (
                        status,
                        "falls" if status == "vanishing" else "grows",
                        last[1],
                        last[0]["name"],
                        first[1],
                        first[0]["name"],
                        abs(median),
                        len(layers),
                        ": the first layers barely learn" if status == "vanishing" else "",
                    )
                )
                steps = sorted({s for _, s, _ in held if s is not None})
                out.append(
                    {
                        "kind": kind,
                        "file": file,
                        "line": line,
                        "source": first[0]["name"],  # the layer that learns too little / too much
                        "shape": first[0]["shape"],
                        "created_at": first[0]["created_at"],
                        "status": status,
                        "steps": steps,
                        "count": len(held),
                        "verdict": "watch",
                        "observed": len(site_calls),
                        "detail": detail,
                        "orders": round(abs(median), 2),
                    }
                )
                continue
        growth: dict[str, list[tuple[int | None, float, dict[str, Any]]]] = {}
        for call in site_calls:
            for s in call["sources"]:
                if s["status"] == "ok" and s["norm"] is not None and s["norm"] > 0:
                    growth.setdefault(s["name"], []).append((call["step"], s["norm"], s))
        for name, seq in growth.items():
            if len(seq) < 2:
                continue
            orders = math.log10(seq[-1][1] / seq[0][1])
            if orders >= _DYNAMICS_ORDERS and seq[-1][1] > _EXPLODED_NORM:
                src = seq[-1][2]
                out.append(
                    {
                        "kind": kind,
                        "file": file,
                        "line": line,
                        "source": name,
                        "shape": src["shape"],
                        "created_at": src["created_at"],
                        "status": "exploding",
                        "steps": sorted({st for st, _, _ in seq if st is not None}),
                        "count": len(seq),
                        "verdict": "watch",
                        "observed": len(seq),
                        "detail": "exploding gradient: its norm grew from %.2g to %.2g over %d steps"
                        % (seq[0][1], seq[-1][1], len(seq)),
                        "orders": round(orders, 2),
                    }
                )
                break  # one per site: the first variable that exploded says it
    return out


def summarize_problems(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (call site, source, status) with the steps it happened in: what editors show.

    Each has a verdict: "broken" when None or zero at every step that source was observed at that
    site, or NaN/Inf still at the last one; else "watch" (a zero at one step only, as a LoRA factor
    initialised to zero has; an overflow it recovered from). Overflow steps a loss-scale optimizer
    skipped are "watch" entries with status "skipped"."""
    merged: dict[tuple, dict[str, Any]] = {}
    seen: dict[tuple, list[Any]] = {}  # (site, source) -> the steps it was observed at, in order
    for call in calls:
        for src in call["sources"]:
            site = (call["kind"], call["file"], call["line"], src["name"])
            seen.setdefault(site, []).append(call["step"])
            if src["status"] not in PROBLEM_STATUSES + ("skipped",):
                continue
            key = (call["kind"], call["file"], call["line"], src["name"], src["status"])
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = {
                    "kind": call["kind"],
                    "file": call["file"],
                    "line": call["line"],
                    "source": src["name"],
                    "shape": src["shape"],
                    "created_at": src["created_at"],
                    "status": src["status"],
                    "steps": [],
                    "count": 0,
                }
            entry["count"] += 1
            entry.setdefault("_seen_at", []).append(call["step"])
            if call["step"] is not None and call["step"] not in entry["steps"]:
                entry["steps"].append(call["step"])
    for (kind, file, line, name, status), entry in merged.items():
        observed = seen[(kind, file, line, name)]
        bad = entry.pop("_seen_at")
        if status == "skipped":
            verdict = "watch"
        elif status in ("none", "zero"):
            verdict = "broken" if len(bad) == len(observed) else "watch"
        else:  # nan / inf: persisting up to the last observation, or recovered
            verdict = "broken" if observed[-1] in bad and len(bad) >= min(2, len(observed)) else "watch"
        entry["verdict"] = verdict
        entry["observed"] = len(observed)
    return list(merged.values())


def has_gradient_problems(report: dict[str, Any]) -> bool:
    """True when the run found a broken gradient (verdict "broken") or a gradient error: exit 1."""
    return any(p.get("verdict", "broken") == "broken" for p in report.get("problems", [])) or any(
        e.get("category") == "gradient" for e in report.get("errors", [])
    )


def decide_status(report: dict[str, Any]) -> str:
    """The status for a run that ended on its own (timeouts, kills and cancels are set by the launcher)."""
    if report.get("runner_status"):
        return report["runner_status"]
    if has_gradient_problems(report):
        return "gradient-problems"
    code = report["exit"]["code"]
    if report["errors"] or report["exit"]["signal"] or (code not in (0, None)):
        return "error"
    if report["exit"]["reason"] is None:
        return "error"  # the runner never said it finished: it died or was killed from inside
    return "ok"


# ---------------------------------------------------------------------------------------------
# Text


def _short(path: str | None, base: str | None) -> str:
    if not path:
        return "?"
    if base:
        try:
            rel = os.path.relpath(path, os.path.dirname(base))
            if not rel.startswith(".."):
                return rel
        except ValueError:
            pass
    return path


def where(file: str | None, line: int | None, base: str | None) -> str:
    return "%s:%s" % (_short(file, base), line if line is not None else "?")


def shape_text(shape: list | None) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def sentence(text: str, capitalize: bool = True) -> str:
    """`text` as a sentence: a capital first letter and exactly one closing full stop, even when it
    ends with an error message that has its own ("No gradients provided for any variable.")."""
    text = text.strip()
    if not text:
        return ""
    if capitalize:
        text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _clause(text: str) -> str:
    """An error message's first line to embed in a longer sentence: without its own full stop."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def summary_message(report: dict[str, Any]) -> str:
    """One or two sentences for the report's `message` (and the CLI's first line)."""
    base = report.get("file")
    problems = [p for p in report["problems"] if p.get("verdict", "broken") == "broken"]
    watch = [p for p in report["problems"] if p.get("verdict") == "watch"]
    grad_errors = [e for e in report["errors"] if e.get("category") == "gradient"]
    parts = []
    if problems:
        names = sorted({p["source"] for p in problems})
        shown = ", ".join("`%s`" % n for n in names[:5]) + (" and %d more" % (len(names) - 5) if len(names) > 5 else "")
        parts.append(
            "%d variable%s lose%s gradient: %s"
            % (len(names), "s" if len(names) != 1 else "", " their" if len(names) != 1 else "s its", shown)
        )
    for e in grad_errors[:3]:
        parts.append(
            "%s at %s: %s" % (e["type"], where(e["file"], e["line"], base), _clause(_first_line(e["message"])))
        )
    calls = len(report["gradient_calls"])
    if not parts:
        if calls:
            sources = {s["name"] for c in report["gradient_calls"] for s in c["sources"]}
            parts.append(
                "all gradients ok: %d gradient computation%s, %d variable%s/source%s"
                % (
                    calls,
                    "s" if calls != 1 else "",
                    len(sources),
                    "s" if len(sources) != 1 else "",
                    "s" if len(sources) != 1 else "",
                )
            )
        else:
            parts.append("no gradient computation was observed")
    transient = [p for p in watch if p["status"] not in DYNAMICS_STATUSES]
    if transient:
        names = sorted({p["source"] for p in transient})
        parts.append(
            "to watch, not failing: %s (%s at some steps only)"
            % (", ".join("`%s`" % n for n in names[:5]), "/".join(sorted({p["status"] for p in transient})))
        )
    for p in watch:
        if p["status"] in DYNAMICS_STATUSES:
            parts.append("to watch: %s" % p.get("detail", STATUS_WORDS[p["status"]]))
    other_errors = [e for e in report["errors"] if e.get("category") != "gradient"]
    if other_errors:
        e = other_errors[-1]
        parts.append(
            "the program raised %s at %s: %s"
            % (e["type"], where(e["file"], e["line"], base), _clause(_first_line(e["message"])))
        )
    return "; ".join(parts)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXC_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Warning)): (.+)$")


def headline(message: str | None) -> str:
    """The sentence that says what went wrong in a TensorFlow/Keras error message, which often
    starts with a preamble ("in user code:", "Exception encountered when calling X.call().")."""
    lines = [ln.strip() for ln in _ANSI.sub("", message or "").splitlines() if ln.strip()]
    if not lines:
        return ""
    if lines[0] == "in user code:":
        m = _EXC_LINE.match(lines[-1])
        return m.group(2) if m else lines[-1]
    if lines[0].startswith("Exception encountered when calling") and len(lines) > 1:
        for i, ln in enumerate(lines):
            if ln.endswith("Error encountered:") and i + 1 < len(lines):
                return lines[i + 1]
        return lines[1]
    return lines[0]


def _first_line(text: str | None, limit: int = 200) -> str:
    line = headline(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _tail_lines(text: str, n: int) -> str:
    lines = text.rstrip("\n").splitlines()
    return "\n".join(lines[-n:])


def _norms(values: list[float | None]) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return ""
    if len(vals) == 1 or max(vals) - min(vals) <= 1e-12:
        return "norm %.3g" % vals[0]
    return "norm %.3g … %.3g" % (min(vals), max(vals))


def _step_ranges(steps: list[int]) -> str:
    """'1-20, 30, 40, 45' from sorted step numbers."""
    parts: list[str] = []
    i = 0
    while i < len(steps):
        j = i
        while j + 1 < len(steps) and steps[j + 1] == steps[j] + 1:
            j += 1
        parts.append(str(steps[i]) if j == i else "%d-%d" % (steps[i], steps[j]))
        i = j + 1
    return ", ".join(parts)


def sampling_summary(sampling: dict[str, Any]) -> str:
    """One sentence on a sampled probe: which steps were reported, what the others were checked for."""
    reported = [s for s in sampling.get("reported_steps") or [] if isinstance(s, int)]
    return (
        "Sampled (a long probe inside tf.function): statistics reported at steps %s; every step up to %s, "
        "every %sth and from step %s on, plus any step with a NaN/Inf. The %d other gradient computations "
        "were counted and checked for NaN/Inf only."
        % (
            _step_ranges(reported) or "none",
            sampling.get("every_step_until"),
            sampling.get("every"),
            sampling.get("from_step"),
            sampling.get("unreported_runs") or 0,
        )
    )


def format_text(report: dict[str, Any], *, output_lines: int = 40) -> str:
    """A readable markdown-ish report (for the CLI and the language server's log)."""
    base = report.get("file")
    out: list[str] = []
    title = os.path.basename(base) if base else "?"
    out.append("# gradls probe: %s — %s" % (title, report.get("status")))
    out.append("")
    if report.get("message"):
        out.append(report["message"])
        out.append("")
    ran = []
    if report.get("device"):
        dev = report["device"].upper()
        if report.get("device_name") and report["device_name"] != "CPU":
            dev += " (%s)" % report["device_name"]
        ran.append("on " + dev)
    if report.get("tensorflow"):
        ran.append(
            "TensorFlow %s%s" % (report["tensorflow"], ", Keras %s" % report["keras"] if report.get("keras") else "")
        )
    ran.append("interpreter %s" % report.get("interpreter"))
    workers = sorted({c["worker"] for c in report["gradient_calls"] if c.get("worker")})
    replicas = sorted({c["replica"] for c in report["gradient_calls"] if c.get("replica") is not None})
    if workers:  # one process of a MultiWorkerMirroredStrategy cluster; replica ids are global
        ran.append("as %s of a multi-worker cluster" % ", ".join(workers))
    if replicas:
        ran.append("replica%s %s" % ("s" if len(replicas) > 1 else "", ", ".join(map(str, replicas))))
    if report.get("stopped_after_steps"):
        ran.append("stopped after %d training steps" % report.get("steps_requested", 0))
    if report.get("duration_s") is not None:
        ran.append("%.1f s" % report["duration_s"])
    out.append("Ran " + ", ".join(ran) + ".")
    if report.get("sampling"):
        out.append(sampling_summary(report["sampling"]))

    for title, verdict in (("Gradient problems", "broken"), ("To watch (not failing)", "watch")):
        entries = [p for p in report["problems"] if p.get("verdict", "broken") == verdict]
        if not entries:
            continue
        out += ["", "## " + title, ""]
        for p in entries:
            created = p["created_at"]
            made = " (created at %s)" % where(created["file"], created["line"], base) if created else ""
            steps = p["steps"]
            when = " in step%s %s" % ("s" if len(steps) != 1 else "", ", ".join(map(str, steps))) if steps else ""
            out.append(
                "- %s `%s` %s%s: %s%s"
                % (
                    where(p["file"], p["line"], base),
                    p["kind"],
                    p["source"],
                    made,
                    p.get("detail") or STATUS_WORDS[p["status"]],
                    when,
                )
            )
            cause = p.get("cause")
            if cause:
                at = " (%s)" % where(cause["file"], cause["line"], base) if cause.get("line") is not None else ""
                rule = " [%s]" % cause["rule"] if cause.get("rule") else ""
                out.append("  cause%s: %s%s" % (rule, cause["message"], at))

    # Each error once: the one the headline already states is not listed again.
    headline_text = report.get("message") or ""
    errors = [
        e
        for e in report["errors"]
        if not (e["type"] in headline_text and _first_line(e["message"])[:80] in headline_text)
    ]
    if errors:
        out += ["", "## Errors", ""]
        for e in errors:
            label = "gradient error" if e.get("category") == "gradient" else "error"
            out.append(
                "- %s: %s %s: %s"
                % (where(e["file"], e["line"], base), label, e["type"], _first_line(e["message"], 400))
            )

    if report["warnings"]:
        out += ["", "## Warnings", ""]
        seen = set()
        for w in report["warnings"]:
            key = (w.get("file"), w.get("line"), w.get("message"))
            if key in seen:
                continue
            seen.add(key)
            out.append("- %s: %s" % (where(w["file"], w["line"], base), _first_line(w["message"], 400)))

    if report["gradient_calls"]:
        out += ["", "## Gradient computations", ""]
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for c in report["gradient_calls"]:
            groups.setdefault((c["kind"], c["file"], c["line"], c["caller"]), []).append(c)
        for (kind, file, line, caller), calls in groups.items():
            via = " via %s" % caller if caller else ""
            out.append(
                "### %s at %s%s (%d call%s)"
                % (kind, where(file, line, base), via, len(calls), "s" if len(calls) != 1 else "")
            )
            out.append("")
            per_source: dict[str, list[dict[str, Any]]] = {}
            for c in calls:
                for s in c["sources"]:
                    per_source.setdefault(s["name"], []).append(s)
            for name, entries in per_source.items():
                first = entries[0]
                statuses = [e["status"] for e in entries]
                counts = {st: statuses.count(st) for st in dict.fromkeys(statuses)}
                words = ", ".join(
                    "%s ×%d" % (STATUS_WORDS[st], n) if len(statuses) > 1 else STATUS_WORDS[st]
                    for st, n in counts.items()
                )
                norm = _norms([e["norm"] for e in entries if e["status"] == "ok"])
                created = first["created_at"]
                made = ", created at %s" % where(created["file"], created["line"], base) if created else ""
                mark = "!!" if any(st in PROBLEM_STATUSES for st in statuses) else ("ok" if "ok" in statuses else "--")
                out.append(
                    "- [%s] %s %s%s: %s%s"
                    % (mark, name, shape_text(first["shape"]), made, words, " (%s)" % norm if norm else "")
                )
            out.append("")
        if out[-1] == "":
            out.pop()

    if report.get("threads"):
        out += ["", "## Threads when the timeout hit (innermost call first)", ""]
        for t in report["threads"]:
            out.append("- %s thread %s:" % ("main" if t["main"] else "other", t["thread"]))
            for fr in t["frames"][:12]:
                out.append("    %s in %s" % (where(fr["file"], fr["line"], base), fr["function"]))
            if len(t["frames"]) > 12:
                out.append("    ... %d outer frames" % (len(t["frames"]) - 12))

    if report["notes"]:
        out += ["", "## Notes", ""]
        out += ["- " + n for n in report["notes"]]

    for stream in ("stdout", "stderr"):
        text = report.get(stream) or ""
        omitted = report.get(stream + "_omitted_bytes") or 0
        if not text.strip():
            continue
        lines = text.rstrip("\n").splitlines()
        shown = _tail_lines(text, output_lines)
        extra = len(lines) - min(len(lines), output_lines)
        note = []
        if extra:
            note.append("%d earlier lines not shown" % extra)
        if omitted:
            note.append("%d bytes dropped from the middle" % omitted)
        out += ["", "## Program %s%s" % (stream, " (%s)" % "; ".join(note) if note else ""), "", "```", shown, "```"]
    return "\n".join(out) + "\n"


_FAULT_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+) in (.+)$')


_THREAD_HEADER = re.compile(r"^(Current thread|Thread) (0x[0-9a-fA-F]+)")
_RUNNER_NAMES = ("gradls/probe/runner.py", "gradls_probe_runner.py", "gradls/probe/warm_worker.py", "warm_worker.py")


def parse_thread_stacks(dump: str) -> list[dict[str, Any]]:
    """Every thread of a faulthandler dump (the runner's answer to SIGUSR2 on timeout).

    [{"thread": "0x7f..", "main": bool, "frames": [{"file", "line", "function"}]}], innermost
    frame first; the runner's own frames are left out. The main thread is the one that started in
    the runner (the dump names no thread main); it comes first."""
    threads: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for text in dump.splitlines():
        head = _THREAD_HEADER.match(text)
        if head:
            current = {"thread": head.group(2), "main": False, "frames": []}
            threads.append(current)
            continue
        m = _FAULT_FRAME.match(text)
        if m and current is not None:
            path = m.group(1)
            if any(path.endswith(name) for name in _RUNNER_NAMES):
                current["main"] = True
                continue
            if path == "<frozen runpy>":
                continue
            current["frames"].append({"file": path, "line": int(m.group(2)), "function": m.group(3).strip()})
    threads.sort(key=lambda t: not t["main"])
    return threads


def crash_location(stderr: str, script: str | None) -> tuple[str, int] | None:
    """The user's line in a faulthandler dump ("Fatal Python error: ..."), most recent call first."""
    if "Fatal Python error" not in stderr:
        return None
    dump = stderr[stderr.rindex("Fatal Python error") :]
    fallback = None
    for line in dump.splitlines():
        m = _FAULT_FRAME.match(line)
        if not m:
            continue
        path = m.group(1)
        if script and os.path.realpath(path) == os.path.realpath(script):
            return path, int(m.group(2))
        lib = any(
            part in path
            for part in (
                "site-packages",
                "dist-packages",
                "/lib/python",
                "gradls/probe/runner.py",
                "gradls_probe_runner.py",
            )
        )
        if fallback is None and not lib and not path.startswith("<"):
            fallback = (path, int(m.group(2)))
    return fallback
