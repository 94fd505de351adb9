"""Human-readable output: each finding with the record, a caret under the term, and a hint."""

from __future__ import annotations

from ..findings import Finding, Severity
from .base import Report, summary_counts

# Records longer than this are shown as a window around the finding's column.
WINDOW = 100
_ELLIPSIS = "…"

_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}
_NOTE_LEVELS = {"error": Severity.ERROR, "info": Severity.INFO}
_BOLD = "1"
_HINT = "32"
_DIM = "2"


def _style(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and text else text


def _printable(text: str) -> str:
    """One column per character, so the caret line stays aligned under control characters."""
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)


def caret_lines(record: str, column: int, end_column: int | None,
                width: int = WINDOW) -> tuple[str, str]:
    """The (possibly windowed) record and a caret line under ``[column, end_column)``.

    Columns are 1-based; the span is clipped to the window so the caret is always visible.
    """
    start0 = min(max(column - 1, 0), len(record))
    end0 = max((end_column or column + 1) - 1, start0 + 1)
    shown = record
    offset = 0
    if len(record) > width:
        first = max(0, min(start0 - width // 3, len(record) - width))
        last = first + width
        # Cut the window before sanitising: a long record is sanitised once per finding.
        shown = record[first:last]
        offset = first
        if first > 0:
            shown = _ELLIPSIS + shown
            offset -= 1
        if last < len(record):
            shown = shown + _ELLIPSIS
        end0 = min(end0, last)
    pad = start0 - offset
    length = max(end0 - start0, 1)
    return _printable(shown), " " * pad + "^" + "~" * (length - 1)


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

    def format(self, report: Report, *, color: bool = False) -> str:
        lines: list[str] = list(report.text_body)
        if report.text_body:
            lines.append("")
        for finding in report.diagnostics:
            lines.extend(self.finding_lines(finding, report.record_for(finding), color))
            lines.append("")
        if report.text_footer:
            lines.extend(report.text_footer)
            lines.append("")
        for note in report.notes:
            label = "error" if note.level == "error" else "note"
            lines.append(f"{_style(label + ':', _SEVERITY_STYLE[_NOTE_LEVELS[note.level]], color)}"
                         f" {note.message}")
        if report.notes:
            lines.append("")
        if report.summary_text is not None:
            lines.append(_style(report.summary_text, _BOLD, color))
        elif report.summary or report.diagnostics:
            lines.append(_style(summary_line(report.diagnostics), _BOLD, color))
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines) + "\n" if lines else ""

    def finding_lines(self, finding: Finding, record: str | None, color: bool) -> list[str]:
        sev_style = _SEVERITY_STYLE[finding.severity]
        head = (
            f"{location_prefix(finding)}{_style(finding.code, _BOLD, color)} "
            f"{_style(f'[{finding.severity}]', sev_style, color)} "
            + finding.message.replace("\n", "\n    ")
        )
        out = [head]
        if record is not None and finding.column is not None:
            shown, carets = caret_lines(record, finding.column, finding.end_column)
            out.append("    " + shown)
            out.append("    " + _style(carets, sev_style, color))
        elif finding.term:
            out.append("    " + _style(f"in: {finding.term}", _DIM, color))
        if finding.hint:
            out.append(f"    {_style('hint:', _HINT, color)} {finding.hint}")
        return out
