"""Machine-readable output: the JSON document of the command-line contract."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from .base import Report


def document(report: Report) -> dict[str, Any]:
    """``spflint`` (version) and ``diagnostics`` first, then the command's own keys."""
    out: dict[str, Any] = {
        "spflint": __version__,
        "diagnostics": [finding.to_dict() for finding in report.diagnostics],
    }
    out.update(report.data)
    out["notes"] = [note.to_dict() for note in report.notes]
    return out


class JsonFormatter:
    """One JSON object per run, keys in contract order."""

    name = "json"

    def format(self, report: Report, *, color: bool = False) -> str:
        return json.dumps(document(report), ensure_ascii=False, indent=2, default=str) + "\n"
