"""Runtime gradient probe: runner (user interpreter), launcher, report, CLI. See docs/probe-report.md."""
