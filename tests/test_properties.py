"""Property tests: trees built from the grammar's shape round-trip, and no input crashes."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spflint.ast import (
    IP4,
    IP6,
    MX,
    PTR,
    A,
    All,
    Directive,
    Exists,
    Explanation,
    Include,
    MacroEscape,
    MacroExpand,
    MacroLiteral,
    MacroPart,
    MacroString,
    Record,
    Redirect,
    Term,
    UnknownModifier,
)
from spflint.errors import SpfSyntaxError
from spflint.lint import lint_record
from spflint.parser import parse_record

SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# --- macro strings ---------------------------------------------------------------------------

DOMAIN_LETTERS = "slodiphv"  # c, r and t are for explanation text only (RFC 7208 §7.2)
ALL_LETTERS = DOMAIN_LETTERS + "crt"
DELIMITERS = ".-+,/_="
MACRO_LITERAL_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


def macro_expand(letters: str) -> st.SearchStrategy[MacroExpand]:
    return st.builds(
        MacroExpand,
        letter=st.sampled_from(letters),
        url_escape=st.booleans(),
        digits=st.none() | st.integers(1, 128),
        reverse=st.booleans(),
        delimiters=st.text(DELIMITERS, max_size=3),
    )


def merge(parts: list[MacroPart | str]) -> MacroString:
    """A macro string from parts, joining neighbouring literal text as the parser does."""
    out: list[MacroPart] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], MacroLiteral):
                out[-1] = MacroLiteral(out[-1].text + part)
            else:
                out.append(MacroLiteral(part))
        else:
            out.append(part)
    return MacroString(tuple(out))


LOWER = string.ascii_lowercase
LABEL_TEXT = st.text(LOWER + string.digits + "_", min_size=1, max_size=12)
TOPLABEL = st.builds(str.__add__, st.sampled_from(LOWER),
                     st.text(LOWER + string.digits, min_size=1, max_size=5))


# Strategies are built once: building them inside a draw makes generation many times slower.
DOMAIN_EXPAND = macro_expand(DOMAIN_LETTERS)
LABEL_SEGMENT: st.SearchStrategy[MacroPart | str] = LABEL_TEXT | DOMAIN_EXPAND
# One label: literal text and macro expansions, never empty.
LABEL = st.lists(LABEL_SEGMENT, min_size=1, max_size=2)


@st.composite
def _domain_spec(draw: st.DrawFn) -> MacroString:
    """A domain-spec whose labels are non-empty and short (what spflint accepts)."""
    macro_end = draw(st.booleans())
    labels = draw(st.lists(LABEL, min_size=0 if macro_end else 1, max_size=3))
    parts: list[MacroPart | str] = []
    for item in labels:
        parts.extend(item)
        parts.append(".")
    if macro_end:
        parts.append(draw(DOMAIN_EXPAND))
    else:
        parts.append(draw(TOPLABEL))
        if draw(st.booleans()):
            parts.append(".")
    return merge(parts)


DOMAIN_SPEC = _domain_spec()
VALUE_PART: st.SearchStrategy[MacroPart | str] = (
    st.text(MACRO_LITERAL_CHARS, min_size=1, max_size=8)
    | st.builds(MacroEscape, st.sampled_from("%_-"))
    | macro_expand(ALL_LETTERS)
)
MODIFIER_VALUE = st.lists(VALUE_PART, max_size=5).map(merge)


# --- terms and records -----------------------------------------------------------------------

CIDR4 = st.none() | st.integers(0, 32)
CIDR6 = st.none() | st.integers(0, 128)
OPT_DOMAIN = st.none() | DOMAIN_SPEC

MECHANISMS: st.SearchStrategy[Any] = st.one_of(
    st.just(All()),
    st.builds(Include, DOMAIN_SPEC),
    st.builds(A, OPT_DOMAIN, CIDR4, CIDR6),
    st.builds(MX, OPT_DOMAIN, CIDR4, CIDR6),
    st.builds(PTR, OPT_DOMAIN),
    st.builds(IP4, st.ip_addresses(v=4), CIDR4),
    st.builds(IP6, st.ip_addresses(v=6), CIDR6),
    st.builds(Exists, DOMAIN_SPEC),
)

RESERVED = {"redirect", "exp", "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
MODIFIER_NAME = st.builds(
    str.__add__, st.sampled_from(string.ascii_letters),
    st.text(string.ascii_letters + string.digits + "._-", max_size=10),
).filter(lambda n: n.lower() not in RESERVED)

TERMS: st.SearchStrategy[Term] = st.one_of(
    st.builds(Directive, st.sampled_from(["", "+", "-", "~", "?"]), MECHANISMS),
    st.builds(Redirect, DOMAIN_SPEC),
    st.builds(Explanation, DOMAIN_SPEC),
    st.builds(UnknownModifier, MODIFIER_NAME, MODIFIER_VALUE),
)

RECORDS = st.builds(Record, st.lists(TERMS, max_size=8).map(tuple))


# Generating trees is the slow part, so one test checks every property of a generated tree.
@SETTINGS
@given(RECORDS)
def test_generated_records(record: Record) -> None:
    text = record.render()
    parsed = parse_record(text)
    # parse(render(ast)) == ast, and rendering is stable.
    assert parsed == record
    assert parsed.render() == text
    # Every term's span slices back to its text.
    for term in parsed.terms:
        assert text[term.span.start : term.span.end] == term.render()
    # The canonical form is a fixed point and parses to itself.
    canonical = record.canonical()
    assert canonical.canonical() == canonical
    assert parse_record(canonical.render()) == canonical


# --- robustness ------------------------------------------------------------------------------

FRAGMENTS = [
    "all", "-all", "~all", "include:", "include", "a", "mx", "ptr", "ip4:", "ip6:", "exists:",
    "redirect=", "exp=", "=", ":", "/", "//", "%", "%{", "}", "%{d}", "%{x}", "%%", ".", "..",
    "example.com", "192.0.2.1", "2001:db8::1", "24", "128", "999", ",", ";", "\t", "\n", " ",
    "  ", "v=spf1", "ipv4:", "é", "\u2013", "\u00a0", "\x00", "+", "?", "x=", "0",
]
PRINTABLE = st.text(string.printable, max_size=60)
FRAGMENT_TEXT = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
ANY_TEXT = st.one_of(
    st.text(max_size=60),
    PRINTABLE,
    st.builds(lambda s: "v=spf1 " + s, PRINTABLE),
    st.builds(lambda s: "v=spf1 " + s, st.text(max_size=40)),
    st.builds(lambda s: "v=spf1 " + s, FRAGMENT_TEXT),
    FRAGMENT_TEXT,
)


@SETTINGS
@given(ANY_TEXT)
def test_parse_record_raises_only_syntax_errors(text: str) -> None:
    try:
        record = parse_record(text)
    except SpfSyntaxError as exc:
        assert exc.problems
        return
    assert parse_record(record.render()) == record


@SETTINGS
@given(ANY_TEXT)
def test_problems_lie_within_the_text(text: str) -> None:
    try:
        parse_record(text)
    except SpfSyntaxError as exc:
        for problem in exc.problems:
            assert 0 <= problem.start <= problem.end <= max(len(text), 1), problem


@SETTINGS
@given(ANY_TEXT)
def test_lint_record_never_raises(text: str) -> None:
    result = lint_record(text)
    assert result.parsed == (result.record is not None)
    for finding in result.findings:
        assert finding.column is None or 1 <= finding.column <= len(text) + 1
