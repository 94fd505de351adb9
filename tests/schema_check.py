"""Validation of spflint's machine output: SARIF against the official SARIF 2.1.0 schema, and
each command's JSON against its schema in spflint/data/schemas."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from spflint.report.json import SCHEMA_DIR, schema_path

SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"


@functools.cache
def sarif_validator() -> Draft4Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


def sarif_errors(log: Any) -> list[str]:
    """What does not conform in a SARIF log: the schema's errors, and artifact URIs that are
    not URI references (a format the draft-04 schema names but does not check)."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in sarif_validator().iter_errors(log)]
    checker = FormatChecker()
    for run in log.get("runs") or []:
        for result in run.get("results", []):
            for location in result.get("locations", []):
                uri = location.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
                if uri is not None and not checker.conforms(uri, "uri-reference"):
                    errors.append(f"artifactLocation.uri {uri!r} is not a URI reference")
    return errors


def assert_valid_sarif(text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    errors = sarif_errors(log)
    assert not errors, "SARIF does not validate:\n" + "\n".join(errors[:20])
    return log


@functools.cache
def schema_registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@functools.cache
def command_validator(command: str) -> Draft202012Validator:
    schema = json.loads(schema_path(command).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=schema_registry(),
                                format_checker=FormatChecker())


def command_errors(command: str, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in command_validator(command).iter_errors(doc)]


def assert_valid_json(command: str, doc: Any) -> None:
    errors = command_errors(command, doc)
    assert not errors, f"{command} JSON does not validate:\n" + "\n".join(errors[:20])
