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
        if finding.line is not None:
            props.append(("line", finding.line))
        # Columns are positions in the record text, which a file annotation can only place
        # when there is a file line to place them on.
        if finding.column is not None:
            props.append(("col", finding.column))
            if finding.end_column is not None:
                props.append(("endColumn", finding.end_column))
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
