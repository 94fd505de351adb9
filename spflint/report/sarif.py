"""SARIF 2.1.0 output for code-scanning tools, with rule metadata built from the registry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..findings import Finding, Severity
from .base import Report

if TYPE_CHECKING:
    from ..rules import Registry, Rule

PROJECT_URL = "https://github.com/spflint/spflint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
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


def _location(finding: Finding) -> dict[str, Any]:
    uri = finding.file or finding.domain or "record"
    region: dict[str, Any] = {"startLine": finding.line or 1}
    if finding.column is not None:
        region["startColumn"] = finding.column
        region["endColumn"] = finding.end_column or finding.column + 1
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}
    }
    if finding.term:
        location["message"] = {"text": finding.term}
    return location


def result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    """A SARIF ``result`` for one finding; ``index`` maps codes to positions in ``rules``."""
    text = finding.message
    if finding.hint:
        text += f" (hint: {finding.hint})"
    out: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in index:
        out["ruleIndex"] = index[finding.code]
    out["level"] = LEVELS[finding.severity]
    out["message"] = {"text": text}
    out["locations"] = [_location(finding)]
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
                "results": [result(f, index) for f in report.diagnostics],
            }
        ],
    }


class SarifFormatter:
    """A SARIF 2.1.0 log with one run."""

    name = "sarif"

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry

    def format(self, report: Report, *, color: bool = False) -> str:
        return json.dumps(log(report, self.registry), ensure_ascii=False, indent=2) + "\n"
