"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from ..findings import Finding, Severity
from .base import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value, where ``:`` and ``,`` are separators too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """``::error file=F,line=L,col=C,endColumn=E,title=CODE name::message``."""
    props: list[tuple[str, object]] = []
    if finding.file is not None:
        props.append(("file", finding.file))
        # The term's place in the file; the record's columns are not columns of the file
        # (strings split over lines, quotes, escapes), so without it the line alone.
        if finding.file_line is not None:
            props.append(("line", finding.file_line))
            end_line = finding.file_end_line
            if end_line is not None and end_line != finding.file_line:
                props.append(("endLine", end_line))
            if finding.file_column is not None:
                props.append(("col", finding.file_column))
                if finding.file_end_column is not None and end_line in (None, finding.file_line):
                    props.append(("endColumn", finding.file_end_column))
        elif finding.line is not None:
            props.append(("line", finding.line))
    props.append(("title", f"{finding.code} {finding.name}"))
    message = finding.message
    if finding.file is None and finding.domain:
        message = f"{finding.domain}: {message}"
    if finding.term and finding.file is None:
        message += f"\nin: {finding.term}"
    if finding.hint:
        message += f"\nhint: {finding.hint}"
    prop_text = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{COMMANDS[finding.severity]} {prop_text}::{escape_data(message)}"


class GithubFormatter:
    """Annotations GitHub shows on the pull request; body lines are left for the log."""

    name = "github"

    def format(self, report: Report, *, color: bool = False) -> str:
        lines = list(report.text_body)
        lines.extend(annotation(f) for f in report.diagnostics)
        for note in report.notes:
            command = "error" if note.level == "error" else "notice"
            lines.append(f"::{command} title=spflint::{escape_data(note.message)}")
        return "\n".join(lines) + "\n" if lines else ""
