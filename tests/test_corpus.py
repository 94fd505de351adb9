"""Valid and invalid record corpora: each record file sits next to a JSON file of expectations.

``fixtures/records/valid/NAME.txt`` holds one record (a single trailing line break is not part
of it) and ``NAME.json`` its expected tree as ``{"terms": [...]}`` in the plain shape built by
``term_dict``. ``fixtures/records/invalid/NAME.json`` lists the expected syntax problems as
``[{"code": ..., "column": ...}]`` in text order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spflint.ast import IP4, IP6, MX, PTR, A, Directive, Exists, Include, Term, UnknownModifier
from spflint.errors import SpfSyntaxError
from spflint.parser import parse_record

RECORDS = Path(__file__).resolve().parent.parent / "fixtures" / "records"
VALID = sorted((RECORDS / "valid").glob("*.txt"))
INVALID = sorted((RECORDS / "invalid").glob("*.txt"))


def read_record(path: Path) -> str:
    text = path.read_bytes().decode("utf-8")  # bytes: keep CR and tabs exactly as written
    return text[:-1] if text.endswith("\n") else text


def term_dict(term: Term) -> dict[str, Any]:
    """A term as plain data: kind, qualifier and the arguments its kind has."""
    if isinstance(term, UnknownModifier):
        return {"kind": term.kind, "name": term.name, "value": term.value.render()}
    if not isinstance(term, Directive):
        return {"kind": term.kind, "domain": term.domain.render()}
    mech = term.mechanism
    out: dict[str, Any] = {"kind": mech.kind, "qualifier": term.qualifier}
    if isinstance(mech, (Include, Exists)):
        out["domain"] = mech.domain.render()
    elif isinstance(mech, PTR):
        out["domain"] = None if mech.domain is None else mech.domain.render()
    elif isinstance(mech, (IP4, IP6)):
        out["address"] = str(mech.address)
        out["prefix"] = mech.prefix
    elif isinstance(mech, (A, MX)):
        out["domain"] = None if mech.domain is None else mech.domain.render()
        out["cidr4"] = mech.cidr4
        out["cidr6"] = mech.cidr6
    return out


def test_corpora_are_not_empty() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 40


def test_every_record_has_expectations() -> None:
    for path in VALID + INVALID:
        assert path.with_suffix(".json").is_file(), f"{path} has no .json"
    for folder in ("valid", "invalid"):
        for path in (RECORDS / folder).glob("*.json"):
            assert path.with_suffix(".txt").is_file(), f"{path} has no .txt"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_record(path: Path) -> None:
    text = read_record(path)
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    record = parse_record(text)
    assert [term_dict(t) for t in record.terms] == expected["terms"]
    # What the record renders to parses back to the same tree.
    assert parse_record(record.render()) == record


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_record(path: Path) -> None:
    text = read_record(path)
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert expected, f"{path.name}: expect at least one problem"
    with pytest.raises(SpfSyntaxError) as info:
        parse_record(text)
    got = [{"code": p.code, "column": p.column} for p in info.value.problems]
    assert got == expected, [(p.code, p.column, p.message) for p in info.value.problems]
