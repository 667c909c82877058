"""LSP soak, long run: incremental edits to a 5,000-line file against `python -m gradls`.

    .venv/bin/python bench/soak_lsp.py --edits 50000 [--lines 5000] [--burst 500] [--json out.json]

The same driver as tests/hardening/test_lsp_soak.py (tests/hardening/soakkit.py): the client keeps
its own text, sends every edit as an incremental didChange, waits for the debounced diagnostics
every --burst edits, asks for code actions and hovers there, and compares the published
diagnostics with a fresh `gradls.analysis.analyze()` of its text. Prints the figures (edits,
checkpoints, RSS of the server process at the first and last checkpoint, peak, wall time); --json also holds the
RSS at every checkpoint (rss_mib).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hardening"))
sys.path.insert(0, str(ROOT / "tests" / "lsp"))

from lsp_helpers import SERVER_COMMAND, make_recording_client  # noqa: E402
from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import client_capabilities  # noqa: E402
from soakkit import run_soak  # noqa: E402


async def soak(edits: int, lines: int, burst: int, compare_every: int, seed: int, verbose: bool) -> dict:
    client = make_recording_client()
    await client.start_io(*SERVER_COMMAND)
    with tempfile.TemporaryDirectory(prefix="gradls-soak-") as root:
        await client.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                workspace_folders=[lsp.WorkspaceFolder(uri=Path(root).as_uri(), name="ws")],
                initialization_options={"settings": {"lint": {"run": "onType"}}},
            )
        )

        def progress(done, stats):
            if verbose:
                print(
                    f"  {done:>7} edits  v{stats.checkpoints:>4} checkpoints  rss {stats.rss_kib[-1] / 1024:.1f} MiB  "
                    f"max wait {stats.max_checkpoint_wait_s:.2f}s",
                    file=sys.stderr,
                    flush=True,
                )

        try:
            stats = await run_soak(
                client,
                (Path(root) / "big_model.py").as_uri(),
                edits=edits,
                lines=lines,
                burst=burst,
                compare_every=compare_every,
                seed=seed,
                progress=progress,
            )
        finally:
            errors = [m.message for m in client.log_messages if m.type == lsp.MessageType.Error]
            await client.shutdown_session()
    out = stats.as_dict()
    out["rss_mib"] = [round(k / 1024, 1) for k in stats.rss_kib]
    out["lines"] = lines
    out["burst"] = burst
    out["server_errors_logged"] = len(errors)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=50_000)
    ap.add_argument("--lines", type=int, default=5_000)
    ap.add_argument("--burst", type=int, default=500)
    ap.add_argument("--compare-every", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    try:
        out = asyncio.run(soak(args.edits, args.lines, args.burst, args.compare_every, args.seed, not args.quiet))
    except AssertionError as e:
        print(f"SOAK FAILED: {e}")
        return 1
    growth = out["rss_end_mib"] - out["rss_start_mib"]
    print(
        f"soak: {out['edits']} incremental edits ({out['didChange_notifications']} didChange) to a {args.lines}-line file, "
        f"{out['checkpoints']} checkpoints, {out['full_comparisons']} full comparisons with a fresh analysis: no stale "
        f"diagnostic; {out['code_action_requests']} code-action requests; server RSS {out['rss_start_mib']} -> "
        f"{out['rss_end_mib']} MiB ({growth:+.1f}), peak {out['rss_peak_mib']} MiB; {out['seconds']} s; "
        f"{out['server_errors_logged']} errors logged"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if out["server_errors_logged"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
