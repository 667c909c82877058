"""The probe report as one self-contained HTML page (`gradls probe --html FILE`, the editor's webview).

Per gradient computation site: each variable's gradient norm over the training steps on a log
scale (inline SVG), None / zero / NaN / Inf / skipped steps marked, the update/weight ratio when
the runner measured it, vanishing/exploding called out in words, the cause attached to a problem,
and each variable's creation line as `file:line` in an element carrying `data-file`/`data-line`
(an editor webview opens it on click: the page posts {command: "open", file, line} through
`acquireVsCodeApi()` when it runs in one). No network: inline CSS, SVG and script only.

No TensorFlow here: the language server imports this.
"""

from __future__ import annotations

import math
import os
from html import escape
from typing import Any

from gradls.probe.report import PROBLEM_STATUSES, STATUS_WORDS, sampling_summary, shape_text, where

# Worst first: the status a step shows when replicas (or repeated calls) disagree.
_SEVERITY = ("none", "nan", "inf", "zero", "skipped", "unobserved", "ok")
_MARK_LABEL = {"none": "None", "nan": "NaN", "inf": "Inf", "zero": "0", "skipped": "skip", "unobserved": "?"}
# Distinct hues, readable on light and dark backgrounds.
_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
)

_CSS = """
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #ffffff; --muted: #666; --grid: #ddd;
  --bad: #c62828; --watch: #b26a00; --ok: #2e7d32; --card: #f6f6f6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e6e6; --bg: #1e1e1e; --muted: #9a9a9a;
  --grid: #3a3a3a; --bad: #ef5350; --watch: #ffb74d; --ok: #81c784; --card: #262626; } }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 16px 24px; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 6px; }
h3 { font-size: 13px; margin: 16px 0 4px; font-family: ui-monospace, monospace; }
.status-ok { color: var(--ok); } .status-bad { color: var(--bad); } .status-other { color: var(--watch); }
.meta { color: var(--muted); } .message { margin: 6px 0 10px; }
ul.problems { padding-left: 18px; } ul.problems li { margin: 3px 0; }
.broken { color: var(--bad); font-weight: 600; } .watch { color: var(--watch); font-weight: 600; }
.cause { color: var(--muted); display: block; margin-left: 12px; }
a.src { cursor: pointer; text-decoration: underline dotted; color: inherit; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { padding: 2px 8px; border-bottom: 1px solid var(--grid); text-align: left; vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-family: ui-monospace, monospace; white-space: nowrap; }
td.mark { font-weight: 700; } td.mark.none, td.mark.nan, td.mark.inf { color: var(--bad); }
td.mark.zero, td.mark.skipped { color: var(--watch); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
svg.chart { background: var(--card); border-radius: 4px; }
svg.chart text { fill: var(--muted); font-size: 10px; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .series { fill: none; stroke-width: 1.6; }
svg.chart .dim { opacity: 0.12; }
svg.chart .mark-none, svg.chart .mark-nan, svg.chart .mark-inf { fill: var(--bad); }
svg.chart .mark-zero, svg.chart .mark-skipped { fill: var(--watch); }
tr.series-row:hover { background: var(--card); }
"""

# Highlight a variable's line when its row is hovered; open its creation line in the editor.
_SCRIPT = """
(function () {
  var vscode = typeof acquireVsCodeApi === "function" ? acquireVsCodeApi() : null;
  document.querySelectorAll("a.src").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      if (vscode) {
        var message = { command: "open", file: a.dataset.file, line: Number(a.dataset.line) };
        if (a.dataset.cell) { message.cell = Number(a.dataset.cell); }
        vscode.postMessage(message);
      }
    });
  });
  document.querySelectorAll("tr.series-row").forEach(function (row) {
    var chart = document.getElementById(row.dataset.chart);
    if (!chart) { return; }
    row.addEventListener("mouseenter", function () {
      chart.querySelectorAll("[data-series]").forEach(function (el) {
        if (el.dataset.series !== row.dataset.series) { el.classList.add("dim"); }
      });
    });
    row.addEventListener("mouseleave", function () {
      chart.querySelectorAll(".dim").forEach(function (el) { el.classList.remove("dim"); });
    });
  });
})();
"""


def _src_link(created: dict[str, Any] | None, base: str | None) -> str:
    if not created or not isinstance(created.get("line"), int):
        return '<span class="meta">unknown</span>'
    file = created.get("file") or ""
    cell = created.get("cell")
    if isinstance(cell, int):  # a notebook's location: the line is in that cell
        text = "%s:cell %d:%d" % (os.path.basename(file), cell, created["line"])
        extra = ' data-cell="%d"' % cell
    else:
        text, extra = where(file, created["line"], base), ""
    return '<a class="src" data-file="%s" data-line="%d"%s title="%s">%s</a>' % (
        escape(file, quote=True),
        created["line"],
        extra,
        escape("%s:%d" % (file, created["line"]), quote=True),
        escape(text),
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "0"
    return "%.3g" % value


def _worst(statuses: list[str]) -> str:
    return min(statuses, key=lambda s: _SEVERITY.index(s) if s in _SEVERITY else len(_SEVERITY))


class _Series:
    """One variable at one gradient computation site: its status and norm per training step."""

    def __init__(self, name: str, first: dict[str, Any]):
        self.name = name
        self.shape = first.get("shape")
        self.created_at = first.get("created_at")
        self.statuses: dict[int, list[str]] = {}
        self.norms: dict[int, list[float]] = {}
        self.ratios: dict[int, list[float]] = {}

    def add(self, step: int, src: dict[str, Any]) -> None:
        self.statuses.setdefault(step, []).append(src.get("status") or "ok")
        norm = src.get("norm")
        if src.get("status") == "ok" and isinstance(norm, (int, float)) and norm > 0:
            self.norms.setdefault(step, []).append(float(norm))
        ratio = src.get("update_ratio")
        if isinstance(ratio, (int, float)) and ratio >= 0:
            self.ratios.setdefault(step, []).append(float(ratio))

    def status(self, step: int) -> str | None:
        return _worst(self.statuses[step]) if step in self.statuses else None

    def norm(self, step: int) -> float | None:
        return max(self.norms[step]) if step in self.norms else None

    def ratio(self, step: int) -> float | None:
        return max(self.ratios[step]) if step in self.ratios else None


def _sites(report: dict[str, Any]) -> list[tuple[tuple, list[_Series]]]:
    """[(site key, series in source order)], a site being (kind, file, line, caller)."""
    sites: dict[tuple, dict[str, _Series]] = {}
    for index, call in enumerate(report.get("gradient_calls") or []):
        key = (call.get("kind"), call.get("file"), call.get("line"), call.get("caller"))
        by_name = sites.setdefault(key, {})
        step = call.get("step")
        step = step if isinstance(step, int) else index + 1
        for src in call.get("sources") or []:
            name = src.get("name") or "?"
            series = by_name.get(name)
            if series is None:
                series = by_name[name] = _Series(name, src)
            series.add(step, src)
    return [(key, list(by_name.values())) for key, by_name in sites.items()]


def _chart(chart_id: str, series: list[_Series], steps: list[int]) -> str:
    """Inline SVG: log10(norm) over steps; status marks in bands below (None, 0) and above (NaN, Inf)."""
    width, height = 720, 280
    left, right, top, bottom = 58, 16, 26, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    norms = [n for s in series for vals in s.norms.values() for n in vals]
    if norms:
        lo = math.floor(math.log10(min(norms)))
        hi = math.ceil(math.log10(max(norms)))
        if hi == lo:
            lo, hi = lo - 1, hi + 1
    else:
        lo, hi = -1, 1
    first, last = steps[0], steps[-1]

    def x_of(step: int) -> float:
        return left + (plot_w / 2 if last == first else (step - first) * plot_w / (last - first))

    def y_of(norm: float) -> float:
        return top + (hi - math.log10(norm)) * plot_h / (hi - lo)

    parts = [
        '<svg class="chart" id="%s" width="%d" height="%d" viewBox="0 0 %d %d" role="img" '
        'aria-label="gradient norm per variable over training steps, log scale">'
        % (chart_id, width, height, width, height)
    ]
    decade_step = max(1, math.ceil((hi - lo) / 10))
    for d in range(lo, hi + 1, decade_step):
        y = y_of(10.0**d)
        parts.append('<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>' % (left, left + plot_w, y, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">1e%d</text>' % (left - 4, y + 3, d))
    tick_every = max(1, math.ceil(len(steps) / 20))
    for i, step in enumerate(steps):
        if i % tick_every == 0 or step == last:
            parts.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x_of(step), top + plot_h + 14, step))
    parts.append('<text x="%d" y="%d" text-anchor="middle">training step</text>' % (left + plot_w // 2, height - 4))
    parts.append('<text x="4" y="12">‖grad‖ (log)</text>')
    low_band, high_band = top + plot_h + 26, top - 12
    parts.append('<text x="%d" y="%d" text-anchor="end">None/0</text>' % (left - 4, low_band + 3))
    parts.append('<text x="%d" y="%d" text-anchor="end">NaN/Inf</text>' % (left - 4, high_band + 3))
    for k, s in enumerate(series):
        color = _PALETTE[k % len(_PALETTE)]
        sid = "s%d" % k
        segment: list[str] = []
        segments: list[list[str]] = []
        for step in steps:
            norm = s.norm(step)
            if norm is not None and s.status(step) == "ok":
                segment.append("%.1f,%.1f" % (x_of(step), y_of(norm)))
            elif segment:
                segments.append(segment)
                segment = []
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                parts.append(
                    '<circle data-series="%s" cx="%s" cy="%s" r="2.5" fill="%s"><title>%s</title></circle>'
                    % (sid, cx, cy, color, escape(s.name))
                )
            else:
                parts.append(
                    '<polyline data-series="%s" class="series" stroke="%s" points="%s"><title>%s</title></polyline>'
                    % (sid, color, " ".join(seg), escape(s.name))
                )
        for step in steps:
            status = s.status(step)
            if status in (None, "ok", "unobserved"):
                continue
            y = high_band if status in ("nan", "inf") else low_band
            label = "%s: %s at step %d" % (s.name, STATUS_WORDS.get(status, status), step)
            parts.append(
                '<g data-series="%s"><rect class="mark-%s" x="%.1f" y="%d" width="7" height="7" stroke="%s">'
                "<title>%s</title></rect></g>" % (sid, status, x_of(step) - 3.5, y - 4, color, escape(label))
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _series_table(chart_id: str, series: list[_Series], steps: list[int], base: str | None) -> str:
    shown_steps = steps if len(steps) <= 12 else steps[:6] + steps[-6:]
    has_ratio = any(s.ratios for s in series)
    head = ["<th>variable</th>", "<th>shape</th>", "<th>created at</th>"]
    head += ['<th class="num">step %d</th>' % st for st in shown_steps]
    if has_ratio:
        head.append('<th class="num" title="‖Δw‖ / ‖w‖ at the last update measured">update/weight</th>')
    rows = ["<table><tr>%s</tr>" % "".join(head)]
    for k, s in enumerate(series):
        color = _PALETTE[k % len(_PALETTE)]
        cells = [
            '<td><span class="swatch" style="background:%s"></span><span class="var">%s</span></td>'
            % (color, escape(s.name)),
            "<td>%s</td>" % escape(shape_text(s.shape)),
            "<td>%s</td>" % _src_link(s.created_at, base),
        ]
        for st in shown_steps:
            status = s.status(st)
            if status is None:
                cells.append('<td class="num"></td>')
            elif status == "ok":
                cells.append('<td class="num">%s</td>' % _fmt(s.norm(st)))
            else:
                cells.append(
                    '<td class="num mark %s" title="%s">%s</td>'
                    % (status, escape(STATUS_WORDS.get(status, status)), _MARK_LABEL.get(status, status))
                )
        if has_ratio:
            measured = [s.ratio(st) for st in steps if s.ratio(st) is not None]
            cells.append('<td class="num">%s</td>' % (_fmt(measured[-1]) if measured else ""))
        rows.append('<tr class="series-row" data-chart="%s" data-series="s%d">%s</tr>' % (chart_id, k, "".join(cells)))
    rows.append("</table>")
    if len(shown_steps) < len(steps):
        rows.append('<p class="meta">%d middle steps are in the chart only.</p>' % (len(steps) - len(shown_steps)))
    return "\n".join(rows)


def _problems(report: dict[str, Any], base: str | None) -> str:
    problems = report.get("problems") or []
    if not problems:
        return ""
    out = ["<h2>Problems</h2>", '<ul class="problems">']
    order = sorted(problems, key=lambda p: (p.get("verdict") != "broken", p.get("status") not in PROBLEM_STATUSES))
    for p in order:
        verdict = p.get("verdict") or "broken"
        steps = p.get("steps") or []
        when = (" in step%s %s" % ("s" if len(steps) != 1 else "", ", ".join(map(str, steps)))) if steps else ""
        words = p.get("detail") or STATUS_WORDS.get(p.get("status") or "", p.get("status") or "")
        cause = p.get("cause")
        cause_html = ""
        if isinstance(cause, dict) and cause.get("message"):
            cause_at = ""
            if isinstance(cause.get("line"), int):
                cause_at = " " + _src_link({"file": cause.get("file"), "line": cause["line"]}, base)
            cause_html = '<span class="cause">cause: %s%s</span>' % (escape(cause["message"]), cause_at)
        out.append(
            '<li><span class="%s">%s</span> %s at %s: <b>%s</b> — %s%s (created at %s)%s</li>'
            % (
                "broken" if verdict == "broken" else "watch",
                "broken" if verdict == "broken" else "watch",
                escape(p.get("kind") or ""),
                escape(where(p.get("file"), p.get("line"), base)),
                escape(p.get("source") or "?"),
                escape(words),
                escape(when),
                _src_link(p.get("created_at"), base),
                cause_html,
            )
        )
    out.append("</ul>")
    return "\n".join(out)


def render_html(report: dict[str, Any], *, script_nonce: str | None = None) -> str:
    """The whole page. `script_nonce` marks the inline script for a Content-Security-Policy that
    allows scripts by nonce (an editor webview); without it the page allows its inline script."""
    base = report.get("file")
    title = os.path.basename(base) if base else "probe"
    status = report.get("status") or "?"
    status_class = "status-ok" if status == "ok" else "status-bad" if status == "gradient-problems" else "status-other"
    script_src = "'nonce-%s'" % script_nonce if script_nonce else "'unsafe-inline'"
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src %s; img-src data:" % script_src
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="%s">' % escape(csp, quote=True),
        "<title>gradls probe: %s</title>" % escape(title),
        "<style>%s</style></head><body>" % _CSS,
        '<h1>gradls probe: %s — <span class="%s">%s</span></h1>' % (escape(title), status_class, escape(status)),
    ]
    ran = []
    if report.get("device"):
        ran.append("on " + str(report["device"]).upper())
    if report.get("tensorflow"):
        ran.append("TensorFlow " + str(report["tensorflow"]))
    if report.get("steps_observed"):
        ran.append("%s training steps observed" % report["steps_observed"])
    if report.get("duration_s") is not None:
        ran.append("%.1f s" % report["duration_s"])
    if base:
        out.append('<div class="meta">%s%s</div>' % (escape(base), (" · " + escape(", ".join(ran))) if ran else ""))
    if report.get("message"):
        out.append('<p class="message">%s</p>' % escape(report["message"]))
    if report.get("sampling"):
        out.append('<p class="meta sampling">%s</p>' % escape(sampling_summary(report["sampling"])))
    out.append(_problems(report, base))
    errors = report.get("errors") or []
    if errors:
        out.append("<h2>Errors</h2><ul>")
        for e in errors:
            out.append(
                "<li>%s: %s: %s</li>"
                % (
                    _src_link({"file": e.get("file"), "line": e.get("line")}, base),
                    escape(e.get("type") or "error"),
                    escape((e.get("message") or "").strip().splitlines()[0] if e.get("message") else ""),
                )
            )
        out.append("</ul>")
    sites = _sites(report)
    if sites:
        out.append("<h2>Gradient norms per variable over training steps</h2>")
        out.append(
            '<p class="meta">L2 norm of each gradient, log scale. Marks: below the plot None (no gradient) '
            "and all-zero gradients, above it NaN/Inf; hover a row to single out its line, click a "
            "creation line to open it.</p>"
        )
    else:
        out.append('<p class="meta">No gradient computation was observed.</p>')
    for n, ((kind, file, line, caller), series) in enumerate(sites):
        chart_id = "chart%d" % n
        steps = sorted({st for s in series for st in s.statuses})
        via = " via %s" % caller if caller else ""
        out.append("<h3>%s at %s%s</h3>" % (escape(kind or "?"), escape(where(file, line, base)), escape(via)))
        out.append(_chart(chart_id, series, steps))
        out.append(_series_table(chart_id, series, steps, base))
    if report.get("notes"):
        out.append("<h2>Notes</h2><ul>%s</ul>" % "".join("<li>%s</li>" % escape(n) for n in report["notes"]))
    nonce = ' nonce="%s"' % escape(script_nonce, quote=True) if script_nonce else ""
    out.append("<script%s>%s</script>" % (nonce, _SCRIPT))
    out.append("</body></html>")
    return "\n".join(x for x in out if x) + "\n"
