"""Output formats for findings: text, JSON, SARIF and GitHub workflow commands."""

from __future__ import annotations

from .base import FORMATTERS, Formatter, Report, get_formatter, summary_counts

__all__ = ["FORMATTERS", "Formatter", "Report", "get_formatter", "summary_counts"]
