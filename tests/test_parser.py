"""The parser: tree shapes, source spans, rendering, canonical form, caching and errors."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address, IPv6Address
from typing import Any

import pytest

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
    MacroString,
    Record,
    Redirect,
    Span,
    UnknownModifier,
    literal_domain,
)
from spflint.errors import SpfSyntaxError
from spflint.parser import is_spf_record, parse_macro_string, parse_record

D = literal_domain


def test_minimal_record() -> None:
    record = parse_record("v=spf1")
    assert record == Record(())
    assert record.terms == ()
    assert record.span == Span(0, 6)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("v=spf1 -all", (Directive("-", All()),)),
        ("v=spf1 +all", (Directive("+", All()),)),
        ("v=spf1 ?all ~all", (Directive("?", All()), Directive("~", All()))),
        ("v=spf1 include:_spf.example.com",
         (Directive("", Include(D("_spf.example.com"))),)),
        ("v=spf1 a", (Directive("", A()),)),
        ("v=spf1 a/24", (Directive("", A(None, 24)),)),
        ("v=spf1 a//64", (Directive("", A(None, None, 64)),)),
        ("v=spf1 a:mail.example.com/24//64", (Directive("", A(D("mail.example.com"), 24, 64)),)),
        ("v=spf1 mx", (Directive("", MX()),)),
        ("v=spf1 mx:example.com/28", (Directive("", MX(D("example.com"), 28)),)),
        ("v=spf1 ptr", (Directive("", PTR()),)),
        ("v=spf1 ptr:example.com", (Directive("", PTR(D("example.com"))),)),
        ("v=spf1 ip4:192.0.2.1", (Directive("", IP4(IPv4Address("192.0.2.1"))),)),
        ("v=spf1 ip4:192.0.2.0/24", (Directive("", IP4(IPv4Address("192.0.2.0"), 24)),)),
        ("v=spf1 ip6:2001:db8::/32", (Directive("", IP6(IPv6Address("2001:db8::"), 32)),)),
        ("v=spf1 ip6:::ffff:192.0.2.1", (Directive("", IP6(IPv6Address("::ffff:c000:201"))),)),
        ("v=spf1 exists:example.com", (Directive("", Exists(D("example.com"))),)),
        ("v=spf1 redirect=_spf.example.com", (Redirect(D("_spf.example.com")),)),
        ("v=spf1 -all exp=explain.example.com",
         (Directive("-", All()), Explanation(D("explain.example.com")))),
        ("v=spf1 foo=bar", (UnknownModifier("foo", D("bar")),)),
        ("v=spf1 foo=", (UnknownModifier("foo", MacroString(())),)),
    ],
)
def test_tree_shape(text: str, terms: tuple[Any, ...]) -> None:
    assert parse_record(text).terms == terms


def test_macro_parts() -> None:
    record = parse_record("v=spf1 exists:%{ir}.%{L2r-+}._spf.%{d} -all")
    mech = record.terms[0].mechanism  # type: ignore[union-attr]
    assert isinstance(mech, Exists)
    assert mech.domain.parts == (
        MacroExpand("i", reverse=True),
        MacroLiteral("."),
        MacroExpand("l", url_escape=True, digits=2, reverse=True, delimiters="-+"),
        MacroLiteral("._spf."),
        MacroExpand("d"),
    )
    assert mech.domain.is_dynamic
    assert mech.domain.letters == frozenset("ild")


def test_macro_escapes() -> None:
    ms = parse_macro_string("a%%b%_c%-d")
    assert ms.parts == (MacroLiteral("a"), MacroEscape("%"), MacroLiteral("b"),
                        MacroEscape("_"), MacroLiteral("c"), MacroEscape("-"),
                        MacroLiteral("d"))
    assert [p.value for p in ms.parts if isinstance(p, MacroEscape)] == ["%", " ", "%20"]
    assert not ms.is_dynamic


def test_qualifier_and_result() -> None:
    terms = parse_record("v=spf1 a +mx -ptr ~ip4:192.0.2.1 ?all").directives
    assert [t.qualifier for t in terms] == ["", "+", "-", "~", "?"]
    assert [t.result_qualifier for t in terms] == ["+", "+", "-", "~", "?"]
    assert [t.kind for t in terms] == ["a", "mx", "ptr", "ip4", "all"]


def test_record_properties() -> None:
    record = parse_record("v=spf1 a foo=bar -all redirect=x.example.com exp=e.example.com")
    assert [t.kind for t in record.directives] == ["a", "all"]
    assert [t.kind for t in record.modifiers] == ["unknown-modifier", "redirect", "exp"]
    assert record.redirect == Redirect(D("x.example.com"))
    assert record.explanation == Explanation(D("e.example.com"))
    assert record.all_index == 2
    assert parse_record("v=spf1 mx").all_index is None


# --- spans --------------------------------------------------------------------------------


def _nodes(record: Record) -> Iterator[Any]:
    for term in record.terms:
        yield term
        inner = term.mechanism if isinstance(term, Directive) else term
        if inner is not term:
            yield inner
        value = getattr(inner, "domain", None) or getattr(inner, "value", None)
        if isinstance(value, MacroString):
            yield value
            yield from value.parts


SPAN_RECORDS = [
    "v=spf1 -all",
    "v=spf1   ip4:192.0.2.0/24  ~ip6:2001:db8::/32   -all  ",
    "v=spf1 a mx/24 a:mail.example.com//64 ptr:example.com ?exists:%{ir}.%{l1r-}._spf.%{d}",
    "v=spf1 include:_spf.example.com redirect=_spf.example.net exp=explain.%{d}",
    "v=spf1 foo=bar%%%_baz x.y-z=%{i} -all",
    "v=spf1 +mx:mail.example.com./24//128 -all",
]


@pytest.mark.parametrize("text", SPAN_RECORDS)
def test_spans_slice_back_to_the_text(text: str) -> None:
    record = parse_record(text)
    assert text[record.span.start : record.span.end] == text
    for node in _nodes(record):
        piece = text[node.span.start : node.span.end]
        assert piece == node.render(), f"{type(node).__name__} span {node.span}"


def test_spans_keep_original_case_and_spelling() -> None:
    text = "v=spf1 +MX:Mail.Example.COM ~ip6:2001:0DB8::1 -ALL"
    record = parse_record(text)
    pieces = [text[t.span.start : t.span.end] for t in record.terms]
    assert pieces == ["+MX:Mail.Example.COM", "~ip6:2001:0DB8::1", "-ALL"]
    assert [p.lower() for p in pieces[::2]] == [t.render().lower() for t in record.terms[::2]]
    mx, ip6 = (t.mechanism for t in record.directives[:2])
    assert isinstance(mx, MX) and mx.domain is not None and isinstance(ip6, IP6)
    assert text[mx.span.start : mx.span.end] == "MX:Mail.Example.COM"
    assert text[mx.domain.span.start : mx.domain.span.end] == "Mail.Example.COM"
    assert ip6.address == IPv6Address("2001:db8::1")


# --- render and canonical form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("V=SPF1 MX -ALL", "v=spf1 mx -all"),
        ("v=spf1   a    -all   ", "v=spf1 a -all"),
        ("v=spf1 IP4:192.0.2.1 Include:_SPF.Example.com", "v=spf1 ip4:192.0.2.1 "
         "include:_SPF.Example.com"),
        ("v=spf1 ip6:2001:0db8:0000::1/64", "v=spf1 ip6:2001:db8::1/64"),
        ("v=spf1 REDIRECT=x.example.com", "v=spf1 redirect=x.example.com"),
        ("v=spf1 Foo=Bar", "v=spf1 Foo=Bar"),
        # The letter's case means URL escaping and is kept; the reverse flag is written "r".
        ("v=spf1 exists:%{IR}.%{d2}", "v=spf1 exists:%{Ir}.%{d2}"),
    ],
)
def test_render(text: str, rendered: str) -> None:
    record = parse_record(text)
    assert record.render() == rendered
    assert str(record) == rendered
    assert parse_record(rendered) == record


def test_upper_case_version_is_valid() -> None:
    assert parse_record("V=SPF1 -ALL") == parse_record("v=spf1 -all")
    assert is_spf_record("V=SPF1 -ALL")
    assert is_spf_record("v=spf1")
    assert not is_spf_record("v=spf10")
    assert not is_spf_record("v=spf1\t-all")


def test_unknown_modifiers_are_valid() -> None:
    record = parse_record("v=spf1 mx x-policy=strict v=spf1ish -all note=%{d}%%")
    kinds = [t.kind for t in record.terms]
    assert kinds == ["mx", "unknown-modifier", "unknown-modifier", "all", "unknown-modifier"]
    assert record.terms[1] == UnknownModifier("x-policy", D("strict"))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("v=spf1 +a mx -all", "v=spf1 a mx -all"),
        ("v=spf1 redirect=x.example.com a -all", "v=spf1 a -all redirect=x.example.com"),
        ("v=spf1 a -all ip4:192.0.2.1 ~all", "v=spf1 a -all"),
        ("v=spf1 foo=bar ?all exp=e.example.com mx", "v=spf1 ?all foo=bar exp=e.example.com"),
        ("V=SPF1 +MX", "v=spf1 mx"),
    ],
)
def test_canonical(text: str, canonical: str) -> None:
    record = parse_record(text).canonical()
    assert record.render() == canonical
    assert record.canonical() == record
    assert parse_record(record.render()) == record


def test_equality_ignores_spans_and_text() -> None:
    assert parse_record("v=spf1  a -all") == parse_record("v=spf1 a -all")
    assert parse_record("v=spf1 a -all") != parse_record("v=spf1 a ~all")
    assert parse_record("v=spf1 a -all") != parse_record("v=spf1 -all a")


def test_caching_returns_equal_trees() -> None:
    text = "v=spf1 ip4:198.51.100.0/24 include:_spf.example.com -all"
    first = parse_record(text)
    second = parse_record(text)
    assert first == second
    assert first is second
    assert first.text == text


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "", " ", "v=spf1-all", "spf1", "v=spf1 ipv4:1.2.3.4", "v=spf1 a,mx", "v=spf1 %",
        "v=spf1 a:%{", "v=spf1 ip6:zz::1", "v=spf1 ip4:1.2.3.4/99", "v=spf1 a/24/24",
        "v=spf1 :", "v=spf1 =", "v=spf1 ==", "v=spf1 -", "v=spf1 +-all", "v=spf1 é",
        "v=spf1 \x00", "v=spf1 a:..", "v=spf1 a:%{d0}",
        "v=spf1 " + "a:" * 50, "v=spf1 redirect=", "v=spf1 exp=", "\n", "v=spf1\r\n-all",
    ],
)
def test_garbage_raises_only_syntax_error(text: str) -> None:
    with pytest.raises(SpfSyntaxError) as info:
        parse_record(text)
    problems = info.value.problems
    assert problems, "a syntax error lists at least one problem"
    for problem in problems:
        assert problem.code.startswith("SPF1") and len(problem.code) == 6
        assert 0 <= problem.start <= problem.end <= max(len(text), 1)
        assert problem.message
    assert info.value.text == text
    assert f"(at column {problems[0].column})" in str(info.value)
