"""SARIF 2.1.0 output for code-scanning tools, with rule metadata built from the registry."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..findings import Finding, Severity
from .base import Report, json_text

if TYPE_CHECKING:
    from ..rules import Registry, Rule

PROJECT_URL = "https://github.com/spflint/spflint"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SARIF_VERSION = "2.1.0"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def help_uri(code: str) -> str:
    """Where the rule's documentation page lives in the project repository."""
    return f"{PROJECT_URL}/blob/main/docs/rules/{code}.md"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor`` for one registered rule."""
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc or rule.summary},
        "help": {"text": rule.doc or rule.summary, "markdown": rule.doc or rule.summary},
        "helpUri": help_uri(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"status": rule.status, "scope": rule.scope},
    }


def artifact_uri(path: str) -> str:
    """A file path as a SARIF ``uri`` (a relative reference: ``/`` separators, and characters
    a URI cannot hold, such as spaces or ``<stdin>``'s brackets, percent-encoded)."""
    return quote(path.replace(os.sep, "/"), safe="/@!$&'()*+,;=-._~")


def region(finding: Finding) -> dict[str, Any] | None:
    """The finding's region of its file: the term's file position when known, else the
    record's line alone (record columns are not columns of the file)."""
    if finding.file_line is not None:
        out: dict[str, Any] = {"startLine": finding.file_line}
        if finding.file_column is not None:
            out["startColumn"] = finding.file_column
        end_line = finding.file_end_line
        if end_line is not None and end_line != finding.file_line:
            out["endLine"] = end_line
        if finding.file_end_column is not None:
            out["endColumn"] = finding.file_end_column
        return out
    if finding.line is not None:
        return {"startLine": finding.line}
    return None


def _location(finding: Finding, record: str | None) -> dict[str, Any] | None:
    """A finding from a file points at the file (and names the domain it is about); one
    about a domain names the domain as a logical location; one about a record given on the
    command line names that record."""
    location: dict[str, Any] = {}
    if finding.file is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(finding.file)}}
        where = region(finding)
        if where is not None:
            physical["region"] = where
        location["physicalLocation"] = physical
    if finding.domain is not None:
        location["logicalLocations"] = [{"name": finding.domain,
                                         "fullyQualifiedName": finding.domain,
                                         "kind": "resource"}]
    elif finding.file is None and record is not None:
        location["logicalLocations"] = [{"name": record, "kind": "resource"}]
    if not location:
        return None
    if finding.term:
        location["message"] = {"text": finding.term}
    return location


def result(finding: Finding, index: dict[str, int], record: str | None = None
           ) -> dict[str, Any]:
    """A SARIF ``result`` for one finding; ``index`` maps codes to positions in ``rules``,
    ``record`` is the record text the finding's columns refer to.

    The columns in the record text go in the result's ``properties`` (``column``,
    ``end_column``), as in the JSON output.
    """
    text = finding.message
    if finding.hint:
        text += f" (hint: {finding.hint})"
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in index:
        out["ruleIndex"] = index[finding.code]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": text}
    location = _location(finding, record)
    out["locations"] = [] if location is None else [location]
    properties = {key: value for key, value in (("term", finding.term),
                                                ("column", finding.column),
                                                ("end_column", finding.end_column),
                                                ("line", finding.line))
                  if value is not None}
    if properties:
        out["properties"] = properties
    return out


def invocation(report: Report) -> dict[str, Any]:
    """The run's ``invocation``: the report's notes as tool execution notifications."""
    out: dict[str, Any] = {"executionSuccessful": not any(n.level == "error"
                                                          for n in report.notes)}
    if report.notes:
        out["toolExecutionNotifications"] = [
            {"level": "error" if n.level == "error" else "note",
             "message": {"text": n.message},
             "descriptor": {"id": n.kind}}
            for n in report.notes]
    return out


def log(report: Report, registry: Registry | None = None) -> dict[str, Any]:
    """The SARIF log for a report; ``registry`` defaults to the built-in rules."""
    if registry is None:
        from ..rules import registry as built_in

        registry = built_in()
    rules = [rule_descriptor(rule) for rule in registry]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spflint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [invocation(report)],
                "results": [result(f, index, report.record_for(f))
                            for f in report.diagnostics],
            }
        ],
    }


class SarifFormatter:
    """A SARIF 2.1.0 log with one run."""

    name = "sarif"

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry

    def format(self, report: Report, *, color: bool = False) -> str:
        return json_text(log(report, self.registry)) + "\n"
