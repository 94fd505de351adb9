"""Machine-readable output: the JSON document of the command-line contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from .base import Report, json_text

# The JSON schema of each command's output (and ``query-batch`` for one line of
# ``query --batch``), shipped with the package.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"
SCHEMA_COMMANDS = ("lint", "check", "query", "query-batch", "fix", "diff", "zone", "hosts",
                   "explain")


def schema_path(command: str) -> Path:
    """Where the JSON schema of ``command``'s output is.

    :raises KeyError: no schema for that command.
    """
    if command not in SCHEMA_COMMANDS:
        raise KeyError(command)
    return SCHEMA_DIR / f"{command}.schema.json"


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
        return json_text(document(report)) + "\n"
