"""The parser's run-time expressions against the pyparsing grammar they are generated from.

``spflint/_fastparse.py`` must be what ``scripts/gen_fastparse.py`` writes from
``spflint.grammar``; the parser built on it (``parser.match_record``) must accept exactly the
texts the pyparsing grammar (``grammar.record`` with its tree-building actions) accepts, and
build the same trees with the same spans, on the record corpora, the grammar's tables and the
generated records and texts of the property tests. Parsing must not import pyparsing.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pyparsing as pp
import pytest
from hypothesis import given

from spflint import _fastparse, grammar, parser
from spflint.ast import Record
from tests.conftest import load_script
from tests.test_grammar import CASES
from tests.test_properties import ANY_TEXT, RECORDS, SETTINGS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "fixtures" / "records").glob("*/*.txt"))


def _generator() -> ModuleType:
    return load_script("gen_fastparse")


def test_generated_module_is_current() -> None:
    current = (ROOT / "spflint" / "_fastparse.py").read_text(encoding="utf-8")
    assert current == _generator().render(), \
        "spflint/_fastparse.py is out of date: run scripts/gen_fastparse.py"
    for name, pattern in grammar.RUNTIME_PATTERNS.items():
        assert getattr(_fastparse, name).pattern == pattern, name


def dump(value: Any) -> Any:
    """Every field of a tree, spans and other fields left out of equality included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, tuple):
        return tuple(dump(v) for v in value)
    return value


def by_grammar(text: str) -> Record | None:
    try:
        record: Record = grammar.record.parse_string(text)[0]
    except pp.ParseBaseException:
        return None
    return record


def assert_same(text: str) -> bool:
    """Both accept ``text`` with identical trees, or both reject it; True when accepted."""
    expected = by_grammar(text)
    got = parser.match_record(text)
    assert (got is None) == (expected is None), (text, got, expected)
    assert dump(got) == dump(expected), text
    return got is not None


def read_record(path: Path) -> str:
    text = path.read_bytes().decode("utf-8")
    return text[:-1] if text.endswith("\n") else text


def test_corpora() -> None:
    assert len(CORPUS) >= 80
    accepted = [assert_same(read_record(path)) for path in CORPUS]
    # Both outcomes are exercised: the valid records and the invalid ones that are grammatical
    # but fail later checks (labels, macros) are accepted, the rest rejected.
    assert any(accepted) and not all(accepted)


# Terms built around the texts of a production's table, so that each part of each term's
# expression meets the good and the bad texts of the productions it is made of.
IN_TERMS = {
    "domain-spec": ("include:{}", "a:{}", "mx:{}/24//64", "ptr:{}", "exists:{}", "redirect={}",
                    "exp={}", "-a:{}//0"),
    "macro-string": ("foo={}", "exists:{}.example.com", "x.y={}"),
    "ip4-network": ("ip4:{}", "?ip4:{}/32"),
    "ip6-network": ("ip6:{}", "ip6:{}/64"),
    "ip4-cidr-length": ("a{}", "mx:example.com{}", "ip4:192.0.2.0{}"),
    "ip6-cidr-length": ("a/{}", "ip6:2001:db8::{}"),
    "dual-cidr-length": ("a{}", "mx:%{{d}}{}"),
    "name": ("{}=x", "{}=%{{i}}"),
}


def test_grammar_tables() -> None:
    """Each text of tests/test_grammar.py's tables as a record, as a record's term, and inside
    the terms made of its production."""
    texts = {case.values[1] for case in CASES}
    outcomes = {assert_same(text) for text in texts}
    outcomes |= {assert_same(f"v=spf1 {text}") for text in texts}
    outcomes |= {assert_same(f"v=spf1 -all {text}  ") for text in texts}
    for case in CASES:
        production, text = case.values[:2]
        for shape in IN_TERMS.get(production, ()):
            outcomes.add(assert_same("v=spf1 " + shape.format(text)))
    assert outcomes == {True, False}


@pytest.mark.parametrize("text", [
    "v=spf1", "V=SPF1 ", "v=spf1 a:example.com/24//64 mx/0//0 -all",
    "v=spf1 ip6:2001:db8::1/129", "v=spf1 ip6:1::2::3", "v=spf1 a/33", "v=spf1 ip4:1.2.3.4/99",
    "v=spf1 -foo=bar", "v=spf1 include=x.example.com", "v=spf1 exp=%{d}", "v=spf1 +redirect=x.y",
    "v=spf1 a:foo.com/24.x", "v=spf1 x.y-z_w=%{i} ?ptr:%{d}.", "v=spf1\u00a0-all",
    "v=spf1 -all \t", "v=spf1 ~all\n", "v=spf10", "v=spf1-all", "", " v=spf1",
])
def test_edge_cases(text: str) -> None:
    assert_same(text)


@SETTINGS
@given(RECORDS)
def test_generated_records(record: Record) -> None:
    assert assert_same(record.render())


@SETTINGS
@given(ANY_TEXT)
def test_any_text(text: str) -> None:
    assert_same(text)


def test_parsing_does_not_import_pyparsing() -> None:
    code = ("import sys, spflint.check, spflint.tree, spflint.evaluate, spflint.lint\n"
            "from spflint.parser import parse_record\n"
            "from spflint.macros import parse_explain_string\n"
            "parse_record('v=spf1 a mx include:_spf.example.com ip6:2001:db8::/32 -all')\n"
            "parse_explain_string('%{i} is not allowed')\n"
            "print(sorted(m for m in ('pyparsing', 'spflint.grammar') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
