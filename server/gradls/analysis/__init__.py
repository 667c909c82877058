"""Source text in, findings out.  Pure: no LSP, no TensorFlow, no libcst."""

from gradls.analysis.engine import analyze
from gradls.analysis.model import AnalysisResult, Edit, Finding, Fix, ParseFailure, Span

__all__ = ["analyze", "AnalysisResult", "Edit", "Finding", "Fix", "ParseFailure", "Span"]
