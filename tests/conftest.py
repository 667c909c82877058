import sys
from pathlib import Path

# tfharness lives beside the tests; make it importable from every test package.
sys.path.insert(0, str(Path(__file__).parent))
