"""Human-readable output: each finding with the record, a caret under the term, and a hint.

Every line is escaped here (:func:`~spflint.report.base.escape_controls`), the commands' own
body lines included: no record, name, file name or DNS answer reaches the terminal with a
control character in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding, Severity
from .base import (
    DEFAULT_WIDTH,
    Display,
    Report,
    Styled,
    escape_char,
    escape_controls,
    statistics_lines,
    summary_counts,
    unique_findings,
)

# Records are indented by this much under their finding.
INDENT = "    "
# The narrowest window a record is cut to, however narrow the terminal.
MIN_WINDOW = 20
# The window for a record when the terminal width is not known.
WINDOW = DEFAULT_WIDTH - len(INDENT)
_ELLIPSIS = "…"

_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
_NOTE_LEVELS = {"error": Severity.ERROR, "info": Severity.INFO}
_BOLD = "1"
_HINT = "32"
_DIM = "2"


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and text and code else text


def render_line(line: str, color: bool = False) -> str:
    """One body line as printed: escaped, and coloured part by part when it is ``Styled``."""
    if color and isinstance(line, Styled):
        return "".join(_style(escape_controls(text), code, color) for text, code in line.parts)
    return escape_controls(line)


def _columns(ch: str) -> int:
    """How many terminal columns the printable character ``ch`` takes."""
    import unicodedata

    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def caret_lines(record: str, column: int, end_column: int | None,
                width: int = WINDOW) -> tuple[str, str]:
    """The record as shown in ``width`` columns and a caret line under ``[column,
    end_column)``.

    Columns are 1-based positions in ``record``. A record wider than ``width`` is cut around
    the span, with ``…`` at each cut end, so the caret is always visible; characters that are
    not printable are shown escaped, and the caret line counts the columns each character
    really takes (an escape's four, a wide character's two).
    """
    width = max(width, MIN_WINDOW)
    size = len(record)
    start0 = min(max(column - 1, 0), size)
    end0 = max((end_column or column + 1) - 1, start0 + 1)
    # Every character takes a column or more (combining marks aside), so none further than
    # `width` from the span's start can be shown: a long record is cut before anything else.
    low = max(0, start0 - width)
    high = min(size, start0 + width + 1)
    piece = record[low:high]
    texts: Sequence[str] = piece
    cols = [1] * len(piece)
    if not (piece.isascii() and piece.isprintable()):
        # A tab is escaped here too: the caret line needs one known width per character.
        texts = [ch if ch.isprintable() else escape_char(ch) for ch in piece]
        cols = [_columns(ch) if ch.isprintable() else len(shown)
                for ch, shown in zip(piece, texts, strict=True)]
    at = start0 - low
    first, last = 0, len(texts)
    if low > 0 or high < size or sum(cols) > width:
        first, used = at, 0
        while first > 0 and used + cols[first - 1] <= width // 3:
            first -= 1
            used += cols[first]
        room = width - used - (1 if low + first > 0 else 0) - 1  # 1: the right "…"
        last = at
        while last < len(texts) and (cols[last] <= room or last == at):
            room -= cols[last]
            last += 1
        if low + last >= size:  # the record's end is shown: no right "…", more on the left
            room += 1
            while first > 0 and cols[first - 1] <= room:
                first -= 1
                room -= cols[first]
    left = _ELLIPSIS if low + first > 0 else ""
    right = _ELLIPSIS if low + last < size else ""
    shown = left + "".join(texts[first:last]) + right
    pad = len(left) + sum(cols[first:at])
    length = max(sum(cols[at:min(end0 - low, last)]), 1)
    return shown, " " * pad + "^" + "~" * (length - 1)


def location_prefix(finding: Finding) -> str:
    """``file:line: `` when the finding comes from a file, ``domain: `` for a DNS name."""
    if finding.file is not None:
        if finding.line is not None:
            return f"{finding.file}:{finding.line}: "
        return f"{finding.file}: "
    if finding.domain is not None:
        return f"{finding.domain}: "
    return ""


def summary_line(findings: list[Finding]) -> str:
    """For example ``2 errors, 1 warning``; ``no problems found`` when there are none."""
    counts = summary_counts(findings)
    parts = []
    for level, count in counts.items():
        if not count:
            continue
        word = str(level)
        if level is not Severity.INFO and count != 1:
            word += "s"
        parts.append(f"{count} {word}")
    return ", ".join(parts) if parts else "no problems found"


class TextFormatter:
    """Findings for people reading a terminal."""

    name = "text"

    def __init__(self, display: Display | None = None) -> None:
        self.display = display or Display()

    def format(self, report: Report, *, color: bool = False) -> str:
        quiet = self.display.quiet
        findings = unique_findings(report.diagnostics)
        notes = [n for n in report.notes if n.level == "error" or not quiet]
        lines: list[str] = []
        if report.text_body and not quiet:
            lines.extend(render_line(line, color) for line in report.text_body)
            lines.append("")
        hints: set[str] = set()
        for finding in findings:
            lines.extend(self.finding_lines(finding, report.record_for(finding), color, hints))
            lines.append("")
        if report.text_footer and not quiet:
            lines.extend(render_line(line, color) for line in report.text_footer)
            lines.append("")
        for note in notes:
            label = "error" if note.level == "error" else "note"
            lines.append(f"{_style(label + ':', _SEVERITY_STYLE[_NOTE_LEVELS[note.level]], color)}"
                         f" {escape_controls(note.message)}")
        if notes:
            lines.append("")
        if self.display.statistics and findings:
            lines.extend(statistics_lines(findings))
            lines.append("")
        clean = not findings and not any(n.level == "error" for n in notes)
        if quiet and clean:
            pass
        elif report.summary_text is not None:
            lines.append(_style(escape_controls(report.summary_text), _BOLD, color))
        elif report.summary or findings:
            text = summary_line(findings)
            if not findings and not clean:
                # An error kept the run from a verdict: nothing was shown to be fine.
                text = "no verdict: see the error above"
            lines.append(_style(text, _BOLD, color))
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines) + "\n" if lines else ""

    def finding_lines(self, finding: Finding, record: str | None, color: bool,
                      hints: set[str] | None = None) -> list[str]:
        """The lines of one finding. ``hints`` holds the hints already printed: a hint is
        printed once per report, not under every finding it applies to."""
        sev_style = _SEVERITY_STYLE[finding.severity]
        message = f"\n{INDENT}".join(escape_controls(part)
                                     for part in finding.message.split("\n"))
        head = (
            f"{escape_controls(location_prefix(finding))}{_style(finding.code, _BOLD, color)} "
            f"{_style(f'[{finding.severity}]', sev_style, color)} {message}"
        )
        out = [head]
        if record is not None and finding.column is not None:
            shown, carets = caret_lines(record, finding.column, finding.end_column,
                                        self.display.width - len(INDENT))
            out.append(INDENT + shown)
            out.append(INDENT + _style(carets, sev_style, color))
        elif finding.term:
            out.append(INDENT + _style(f"in: {escape_controls(finding.term)}", _DIM, color))
        if finding.hint and (hints is None or finding.hint not in hints):
            out.append(f"{INDENT}{_style('hint:', _HINT, color)} {escape_controls(finding.hint)}")
            if hints is not None:
                hints.add(finding.hint)
        return out
