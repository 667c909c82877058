"""`python -m gradls` starts the language server over stdio (what editors launch);
`python -m gradls check ...` and the other subcommands behave like the `gradls` command."""

import sys


def _main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in {"check", "rule", "probe", "server", "--version", "-h", "--help"}:
        from gradls.cli import main

        return main()
    from gradls.lsp import main as serve

    return serve(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
