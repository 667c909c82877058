"""gradls: find and fix TensorFlow code whose gradients silently vanish."""

__version__ = "0.1.0"
