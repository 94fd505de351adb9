"""The ``Report`` a command hands to a formatter, the formatter registry, and what the formats
for people share: escaping, display settings, repeats left out, statistics."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..findings import Finding, Severity

# Columns for text output when standard output is not a terminal and COLUMNS is unset.
DEFAULT_WIDTH = 100


def escape_char(ch: str) -> str:
    """One character as an escape: ``\\x1b``, ``\\u202e`` or ``\\U000e0001``."""
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """``text`` with every character that is not printable shown as an escape (ESC as
    ``\\x1b``, CR as ``\\x0d``, a bidirectional override as ``\\u202e``), so that record
    texts, names and DNS answers cannot move the cursor, recolour or rewrite what a terminal
    or a CI log shows. Spaces and tabs stay (zone files are laid out with tabs); a line
    break is escaped: one text, one line.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\t" else escape_char(ch) for ch in text)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON that is safe to print to a terminal or a CI log.

    Not ASCII-only (a Unicode domain stays readable), but every character that is not
    printable is a ``\\uXXXX`` escape (C1 controls, bidirectional overrides, line separators:
    a log viewer may act on them), and ``##[`` is written ``##\\u005b`` because a GitHub
    runner takes ``##[name]`` anywhere in a line as a command. The decoded JSON is unchanged.
    """
    import json  # deferred: `--version` and plain-text runs never need it

    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() or ch in "\n " else _json_escape(ch)
                       for ch in text)
    return text.replace("##[", "##\\u005b")


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    # Outside the BMP, JSON spells a character as its UTF-16 surrogate pair.
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


class Styled(str):
    """A body line whose parts carry an ANSI style (``1;31``: bold red).

    It is the plain text to every format and to code that treats it as a string; the text
    formatter colours each part when colour is on (after escaping the part's text).
    """

    parts: tuple[tuple[str, str], ...]

    def __new__(cls, *parts: str | tuple[str, str]) -> Styled:
        pairs = tuple((part, "") if isinstance(part, str) else part for part in parts)
        line = super().__new__(cls, "".join(text for text, _style in pairs))
        line.parts = pairs
        return line


@dataclass(frozen=True)
class Display:
    """How the formats for people lay a report out: ``width`` columns, ``--quiet`` (findings
    and errors only) and ``--statistics`` (a count per rule code at the end)."""

    width: int = DEFAULT_WIDTH
    quiet: bool = False
    statistics: bool = False


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


# The formats for people, which take a ``Display``; the others are documents for programs.
DISPLAY_FORMATS = ("text", "github")


def get_formatter(name: str, display: Display | None = None) -> Formatter:
    """The formatter registered as ``name`` (laid out by ``display`` when it is a format
    for people).

    :raises KeyError: no such format.
    """
    module_name, _, attr = FORMATTERS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    formatter: Formatter = cls(display) if display is not None and name in DISPLAY_FORMATS \
        else cls()
    return formatter


def summary_counts(findings: list[Finding]) -> dict[Severity, int]:
    """How many findings there are at each severity, most serious first."""
    counts = {level: 0 for level in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def unique_findings(findings: list[Finding]) -> list[Finding]:
    """``findings`` without repeats: a finding reached twice (a fragment two zones include,
    the same include met twice) is shown once."""
    seen: set[tuple[object, ...]] = set()
    out: list[Finding] = []
    for finding in findings:
        key = (finding.code, finding.severity, finding.message, finding.file, finding.line,
               finding.domain, finding.column, finding.end_column, finding.term,
               finding.hint)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def statistics_lines(findings: list[Finding]) -> list[str]:
    """One ``count  code  name`` line per rule code, the most frequent first."""
    counts = Counter((f.code, f.name) for f in findings)
    if not counts:
        return []
    width = len(str(max(counts.values())))
    code_width = max(len(code) for code, _name in counts)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [f"{count:>{width}}  {code:<{code_width}}  {name}"
            for (code, name), count in ordered]
