"""TFG033 loss-scale-optimizer-keras2-method (in progress)."""

CASES: list = []
