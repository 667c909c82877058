import sys
from pathlib import Path

# lsp_helpers (pytest-lsp recording client) lives in tests/lsp; rawlsp/soakkit beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lsp"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
