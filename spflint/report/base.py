"""The ``Report`` a command hands to a formatter, and the formatter registry."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..findings import Finding, Severity


@dataclass(frozen=True)
class Note:
    """Something the run as a whole has to say that is not a finding about a record: names
    nothing could answer offline (``level`` info: the exit code is not affected), or a DNS
    server that never answered (``level`` error: the run could not reach a verdict).

    ``items`` lists what the note is about (names, servers) for machine output.
    """

    kind: str  # "unknown", "dns-outage", "files"
    level: str  # "info" or "error"
    message: str
    items: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "level": self.level, "message": self.message,
                "items": list(self.items)}


@dataclass
class Report:
    """Everything one command run has to say, independent of the output format.

    ``data`` holds the command's own JSON keys (in contract order); ``text_body`` holds the
    command's own text lines (a tree, a result word), printed before the diagnostics, and
    ``text_footer`` what follows them (coverage and requirements).
    ``record_text`` is the record the findings' columns refer to; ``sources`` maps a
    ``(file or domain, line)`` location to its record text when a report spans several.
    ``summary`` is False for commands whose text is a result (query, fix, diff): their text
    output then ends with the summary line only when there are diagnostics. ``summary_text``
    replaces the summary line when the command says more than the counts (what it checked).
    """

    command: str
    diagnostics: list[Finding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    record_text: str | None = None
    text_body: list[str] = field(default_factory=list)
    text_footer: list[str] = field(default_factory=list)  # after the diagnostics (coverage)
    sources: dict[tuple[str | None, int | None], str] = field(default_factory=dict)
    summary: bool = True
    notes: list[Note] = field(default_factory=list)
    summary_text: str | None = None

    def record_for(self, finding: Finding) -> str | None:
        """The record text that ``finding``'s columns refer to, when known."""
        key = (finding.file or finding.domain, finding.line)
        if key in self.sources:
            return self.sources[key]
        return self.record_text


class Formatter(Protocol):
    """Turns a report into the text written to standard output."""

    name: str

    def format(self, report: Report, *, color: bool = False) -> str:
        """The whole output, ending with a newline when not empty."""
        ...


# Formatter modules are imported on first use: the SARIF one loads the whole rule registry.
FORMATTERS: dict[str, str] = {
    "text": "spflint.report.text:TextFormatter",
    "json": "spflint.report.json:JsonFormatter",
    "sarif": "spflint.report.sarif:SarifFormatter",
    "github": "spflint.report.github:GithubFormatter",
}


def get_formatter(name: str) -> Formatter:
    """The formatter registered as ``name``.

    :raises KeyError: no such format.
    """
    module_name, _, attr = FORMATTERS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    formatter: Formatter = cls()
    return formatter


def summary_counts(findings: list[Finding]) -> dict[Severity, int]:
    """How many findings there are at each severity, most serious first."""
    counts = {level: 0 for level in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
