"""Run the executable ``Okay:``/``SPFnnn:`` lines of every rule's documentation."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from spflint.lint import lint_record
from spflint.rules import RULE_MODULES, Rule, _load

_LINE = re.compile(r"(Okay|SPF\d{3}): (.*)")


@dataclass(frozen=True)
class Example:
    rule: str  # the documented rule's code
    expect: str  # "Okay" or the code that must be reported
    record: str
    lineno: int


def _examples(rule: Rule) -> list[Example]:
    out: list[Example] = []
    inside = False
    for lineno, line in enumerate(rule.doc.splitlines(), start=1):
        if line.startswith("## "):
            inside = line[3:].strip() == "Examples"
            continue
        m = _LINE.fullmatch(line) if inside else None
        if m:
            out.append(Example(rule.code, m.group(1), m.group(2), lineno))
        elif inside and line.strip():
            raise AssertionError(f"{rule.code}: unexpected line in Examples: {line!r}")
    return out


def _loadable() -> tuple[list[Rule], list[str]]:
    rules, broken = [], []
    for name in RULE_MODULES:
        try:
            rules.append(_load(name))
        except Exception:  # reported by test_all_rule_modules_load, not as a collection error
            broken.append(name)
    return rules, broken


RULES, BROKEN = _loadable()
EXAMPLES = [ex for rule in RULES for ex in _examples(rule)]


def test_all_rule_modules_load() -> None:
    assert BROKEN == [], f"rule modules that do not import: {BROKEN}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_examples(rule: Rule) -> None:
    examples = _examples(rule)
    assert any(ex.expect == "Okay" for ex in examples), f"{rule.code}: no 'Okay:' example"
    assert any(ex.expect == rule.code for ex in examples), (
        f"{rule.code}: no '{rule.code}:' example")


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{ex.rule}::{ex.lineno}" for ex in EXAMPLES]
)
def test_doc_example(example: Example) -> None:
    codes = [f.code for f in lint_record(example.record).findings]
    if example.expect == "Okay":
        assert example.rule not in codes, f"{example.record!r} reports {codes}"
    else:
        assert example.expect in codes, f"{example.record!r} reports {codes}"
