"""GitHub Actions workflow commands: one annotation per finding.

A workflow command is a line that starts, after leading white space, with ``::``, or a legacy
one holding ``##[`` anywhere; the runner reads every line a step prints. Record texts, names
and zone files are not trusted: messages and properties are escaped as the Actions toolkit
escapes them, and log lines that could be read as a command are printed between
``::stop-commands::TOKEN`` and ``::TOKEN::`` (a token drawn afresh for each run), where the
runner takes no command.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from ..findings import Finding, Severity
from .base import Display, Report, escape_controls, statistics_lines, unique_findings

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# What the runner could take for a command's name (it matches names case-insensitively).
_COMMAND_NAME = re.compile(r"[\w-]+")


def escape_data(text: str) -> str:
    """Escape a workflow command's message (after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value, where ``:`` and ``,`` are separators too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(*parts: str) -> str:
    """A message of several lines: each line's control characters shown escaped, the line
    breaks between them (and ``%``) escaped for the runner."""
    lines = [escape_controls(line) for part in parts for line in part.split("\n")]
    return escape_data("\n".join(lines))


def _property(value: object) -> str:
    # %-escaping first: CR and LF in a file name are part of the name GitHub matches.
    return escape_controls(escape_property(str(value)))


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
    parts = [finding.message]
    if finding.file is None and finding.domain:
        parts[0] = f"{finding.domain}: {finding.message}"
    if finding.term and finding.file is None:
        parts.append(f"in: {finding.term}")
    if finding.hint:
        parts.append(f"hint: {finding.hint}")
    prop_text = ",".join(f"{key}={_property(value)}" for key, value in props)
    return f"::{COMMANDS[finding.severity]} {prop_text}::{_message(*parts)}"


def could_be_command(line: str) -> bool:
    """Whether the runner could take ``line`` for a workflow command: ``::NAME ...::`` after
    leading white space, or ``##[NAME ...]`` anywhere (NAME a word, such as ``error``).

    An IPv6 range such as ``::/0: fail`` at the start of a line is not one.
    """
    text = line.lstrip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0 and _COMMAND_NAME.fullmatch(text[2:end].split(" ", 1)[0]):
            return True
    start = line.find("##[")
    while start >= 0:
        end = line.find("]", start)
        if end >= 0 and _COMMAND_NAME.fullmatch(line[start + 3:end].split(" ", 1)[0]):
            return True
        start = line.find("##[", start + 3)
    return False


def guard_commands(lines: list[str], token: Callable[[], str] = secrets.token_hex
                   ) -> list[str]:
    """``lines`` for the log, escaped, and fenced by ``stop-commands`` when one of them could
    be read as a workflow command."""
    shown = [escape_controls(line) for line in lines]
    if not any(could_be_command(line) for line in shown):
        return shown
    fence = token()
    while any(fence in line for line in shown):  # a token the text holds would end the fence
        fence = token()
    return [f"::stop-commands::{fence}", *shown, f"::{fence}::"]


class GithubFormatter:
    """Annotations GitHub shows on the pull request; the command's own lines (its body and
    footer) go to the log before them."""

    name = "github"

    def __init__(self, display: Display | None = None) -> None:
        self.display = display or Display()

    def format(self, report: Report, *, color: bool = False) -> str:
        quiet = self.display.quiet
        findings = unique_findings(report.diagnostics)
        lines = [] if quiet else guard_commands([*report.text_body, *report.text_footer])
        lines.extend(annotation(f) for f in findings)
        for note in report.notes:
            if quiet and note.level != "error":
                continue
            command = "error" if note.level == "error" else "notice"
            lines.append(f"::{command} title=spflint::{_message(note.message)}")
        if self.display.statistics:
            lines.extend(statistics_lines(findings))
        return "\n".join(lines) + "\n" if lines else ""
