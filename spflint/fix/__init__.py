"""Minimal corrected SPF records, flattened and split when needed, proven on the IP space."""

from __future__ import annotations

from .engine import fix_policy
from .model import Change, FixError, FixOptions, FixResult, PublishedRecord

__all__ = ["Change", "FixError", "FixOptions", "FixResult", "PublishedRecord", "fix_policy"]
