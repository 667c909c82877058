"""TFG032 dropped-model-output-head (in progress)."""

CASES: list = []
