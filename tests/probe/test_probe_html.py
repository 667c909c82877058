"""`gradls probe --html FILE` (issue 13): a self-contained page from a real probe run, and the
vanishing-gradient verdict a 16-layer sigmoid net gets. Real TensorFlow on CPU, one run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gradls.probe import cli as probe_cli
from gradls.probe.html import render_html
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
PROGRAM = PROGRAMS / "deep_sigmoid.py"

pytestmark = pytest.mark.timeout(240)


def case_line(marker: str) -> int:
    for i, text in enumerate(PROGRAM.read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}`")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[int, dict, str]:
    out = tmp_path_factory.mktemp("html")
    page = out / "probe.html"
    capture = out / "report.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = probe_cli.main(
            [str(PROGRAM), "--python", tf_python(), "--device", "cpu", "--steps", "3"]
            + ["--output-format", "json", "--html", str(page)]
        )
    capture.write_text(buf.getvalue())
    return code, json.loads(buf.getvalue()), page.read_text(encoding="utf-8")


def test_page_is_self_contained_and_names_every_variable(run):
    code, rep, page = run
    assert code == 1, rep["message"]  # `unused_scale` never gets a gradient: broken
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"https?://", page), "the page must not reach the network"
    assert not re.search(r"<(script|img|link|iframe)[^>]*\b(src|href)=", page)
    names = {s["name"] for c in rep["gradient_calls"] for s in c["sources"]}
    assert len(names) == 33  # 16 kernels + 16 biases + the unused variable
    for name in names:
        assert ">%s<" % name in page, name
    assert "<svg" in page and "<polyline" in page  # the norms over steps, drawn inline


def test_the_none_variable_is_marked_and_its_creation_line_is_a_link(run):
    _, rep, page = run
    row = re.search(r'<tr class="series-row"[^>]*>(?:(?!</tr>).)*>unused_scale<(?:(?!</tr>).)*</tr>', page, re.S)
    assert row, "no table row for unused_scale"
    assert row.group(0).count('class="num mark none"') == 3  # None at each of the 3 steps
    line = case_line("unused")
    assert 'data-file="%s" data-line="%d"' % (str(PROGRAM.resolve()), line) in row.group(0)
    assert "deep_sigmoid.py:%d</a>" % line in row.group(0)
    assert re.search(r'<rect class="mark-none"[^>]*><title>unused_scale: no gradient \(None\) at step 1', page)
    broken = [p for p in rep["problems"] if p["verdict"] == "broken"]
    assert [(p["source"], p["status"]) for p in broken] == [("unused_scale", "none")]


def test_a_deep_sigmoid_net_is_called_out_as_vanishing(run):
    _, rep, page = run
    vanishing = [p for p in rep["problems"] if p["status"] == "vanishing"]
    assert len(vanishing) == 1
    v = vanishing[0]
    assert v["verdict"] == "watch" and v["line"] == case_line("gradient")
    assert v["source"] == "sequential/dense/kernel" and v["orders"] >= 6
    assert v["created_at"]["line"] == case_line("sigmoid layers")
    assert "vanishing gradient" in rep["message"] and "vanishing gradient" in page
    # The watch item does not make the run fail by itself: only `unused_scale` is broken.
    assert "first layers barely learn" in v["detail"]


def test_the_update_weight_ratio_is_measured_and_shown(run):
    _, rep, page = run
    ratios = {s["name"]: s["update_ratio"] for c in rep["gradient_calls"] if c["step"] == 1 for s in c["sources"]}
    assert ratios["unused_scale"] == 0.0  # no gradient: SGD leaves it as it was
    last = ratios["sequential/dense_15/kernel"]
    # Its size depends on the initial weights (seeded in the program); the test only needs it measured.
    assert last is not None and last > 0
    first = ratios["sequential/dense/kernel"]
    assert first is not None and first < last * 1e-4  # the vanishing gradient barely moves the first layer
    assert "update/weight" in page


def test_render_html_without_gradients_and_with_a_nonce():
    page = render_html(
        {"file": "/x/t.py", "status": "error", "message": "boom <b>", "gradient_calls": []}, script_nonce="abc123"
    )
    assert "No gradient computation was observed" in page
    assert "boom &lt;b&gt;" in page
    assert '<script nonce="abc123">' in page and "script-src &#x27;nonce-abc123&#x27;" in page
