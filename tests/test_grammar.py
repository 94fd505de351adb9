"""The pyparsing grammar against grammar/spf.abnf: one expression per production, and
accept/reject tables per production.

The grammar carries the parser's tree-building actions on ``term``, ``terms`` and ``record``;
the record-level cases below avoid the inputs on which those actions add value checks (IPv6
address shape, CIDR ranges), so they test the grammar alone. tests/test_fastparse.py holds the
parser's run-time expressions to this grammar.

``parse_string(text, parse_all=True)`` alone is lax for a bare production: pyparsing expands
tabs and skips trailing whitespace before its end-of-text check, so ``SP`` would accept a tab
and ``version`` would accept ``"v=spf1 "``. Acceptance here therefore appends an end-of-text
that skips nothing and keeps tabs. ``record`` guards itself the same way, which
``test_record_itself_is_strict`` pins.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyparsing as pp
import pytest

from spflint import grammar

ABNF = Path(__file__).resolve().parent.parent / "grammar" / "spf.abnf"
_RULE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s+=", re.MULTILINE)


def abnf_productions() -> list[str]:
    text = "\n".join(line.split(";", 1)[0] for line in ABNF.read_text().splitlines())
    return _RULE.findall(text)


def accepts(production: str, text: str) -> bool:
    strict = grammar.PRODUCTIONS[production] + pp.StringEnd().leave_whitespace()
    strict.parse_with_tabs()
    try:
        strict.parse_string(text, parse_all=True)
    except pp.ParseBaseException:
        return False
    return True


def test_every_abnf_production_has_an_expression() -> None:
    names = abnf_productions()
    assert len(names) == len(set(names)), "a production is defined twice in spf.abnf"
    assert "record" in names and "macro-letter" in names
    missing = [n for n in names if n not in grammar.PRODUCTIONS]
    assert missing == []


def test_every_expression_is_an_abnf_production() -> None:
    extra = set(grammar.PRODUCTIONS) - set(abnf_productions())
    assert extra == set()


@pytest.mark.parametrize("production", sorted(grammar.PRODUCTIONS))
def test_expression_named_after_production(production: str) -> None:
    expr = grammar.PRODUCTIONS[production]
    assert expr.customName == production
    assert str(expr) == production


Text = str | Any  # a string, or a pytest.param wrapping one


def table(production: str, good: list[Text], bad: list[Text]) -> list[Any]:
    out: list[Any] = []
    for texts, ok in ((good, True), (bad, False)):
        for text in texts:
            if isinstance(text, str):
                out.append(pytest.param(production, text, ok, id=f"{production}:{ok}:{text!r}"))
            else:
                (value,) = text.values
                out.append(pytest.param(production, value, ok, marks=text.marks,
                                        id=f"{production}:{ok}:{value!r}"))
    return out


CASES = [
    *table("qnum", [str(n) for n in range(256)], ["256", "300", "01", "00", "001", "-1", "",
                                                  " 1", "1 ", "2555"]),
    *table("ip4-network", ["192.0.2.1", "0.0.0.0", "255.255.255.255", "10.0.0.10"],
           ["256.1.1.1", "1.2.3", "1.2.3.4.5", "192.168.01.1", "1.2.3.4/24", "a.b.c.d", ""]),
    # ip6-network is deliberately loose (hex, colons and dots with at least one colon); the
    # parser confirms the exact RFC 4291 shape with the ipaddress module.
    *table("ip6-network", ["2001:db8::1", "::", "::1", "::ffff:192.0.2.1", "fe80::"],
           ["2001", "g::1", "192.0.2.1", "2001:db8::/32", ""]),
    # The ABNF limits the digits, not the value: "value range 0-32" is a comment, and the
    # parser rejects /33 to /99 after the match.
    *table("ip4-cidr-length", [f"/{n}" for n in range(33)] + ["/99"],
           ["/024", "/00", "/100", "/", "24", "//24", "/-1"]),
    *table("ip6-cidr-length", ["/0", "/64", "/128", "/999"],
           ["/0128", "/064", "/1000", "/", "128"]),
    *table("dual-cidr-length", ["", "/24", "//64", "/24//64", "/0//0"],
           ["//", "/024", "/24/64", "/24//064", "/"]),
    *table("toplabel", ["com", "c0m", "123a", "a123", "1-2", "COM", "a", "a-1", "x--y"],
           ["123", "-com", "com-", "a_b", "", "co.m", "1-"]),
    *table("alphanum", ["a", "Z", "0", "9"], ["-", "_", "", "ab"]),
    *table("ALPHA", ["a", "z", "A", "Z"], ["0", "-", "é", ""]),
    *table("DIGIT", [str(n) for n in range(10)], ["a", "10", ""]),
    *table("SP", [" "], ["\t", "  ", ""]),
    *table("qualifier", ["+", "-", "?", "~"], ["*", "!", "", "--"]),
    *table("macro-letter", list("slodiphcrtv") + list("SLODIPHCRTV"), ["x", "a", "1", ""]),
    *table("transformers", ["", "1", "12", "128r", "r", "R"], ["rr", "r1", "x"]),
    *table("delimiter", list(".-+,/_="), [";", ":", " ", "%", ""]),
    # The grammar allows %{d0} (transformers = *DIGIT); the parser rejects a zero digit.
    *table("macro-expand", ["%{d}", "%{D}", "%{l1r+-}", "%{ir}", "%{d2}", "%{d0}",
                            "%{s.}", "%%", "%_", "%-"],
           ["%{x}", "%{d", "%", "%{}", "%a", "%{dr1}", "{d}", "%{d}x"]),
    *table("macro-literal", ["!", "$", "&", "~", "a", ".", "/"],
           ["%", " ", "\x7f", "é", "", "ab"]),
    *table("macro-string", ["", "example.com", "%{i}._spf.%{d}", "50%%", "a/b=c"],
           ["50%", "a b", "%{x}", "é"]),
    *table("explain-string", ["", "Your IP %{i} is not allowed", "  %{c}  "],
           ["50%", "tab\there"]),
    *table("name", ["foo", "a1.b-c_d", "X", "redirect"], ["1foo", "-x", "", "_x", "a b"]),
    # domain-spec = macro-string domain-end: the last label must be a valid toplabel or a
    # macro expansion. Empty labels ("foo..com", ".example.com") match the ABNF, because a
    # macro-literal may be a dot; spflint's parser rejects them in a separate label check.
    *table("domain-spec", ["foo.example.com", "foo.example.com.", "%{d}", "_spf.%{d}",
                           "%{i}.%{d2}", "foo..com", ".example.com", "mail.example.1-2",
                           "a.b"],
           ["example", "example.", "example.123", "", "foo.com..", "foo.com/24",
            "example.%", "%{x}.example.com"]),
    # macro-expand includes the escapes, so "%%" alone is a domain-end.
    *table("domain-end", [".com", ".com.", "%{d}", ".1-2", "%%",
                          ".a-1"],
           ["com", ".123", ".", "%"]),
    *table("version", ["v=spf1", "V=SPF1", "v=Spf1"],
           ["v=spf10", "v=spf", "v = spf1", "spf1", " v=spf1", "v=spf1 "]),
    *table("all", ["all", "ALL", "All"], ["all:x", "all/24", "al", "-all"]),
    *table("include", ["include:_spf.example.com", "INCLUDE:%{d}", "include:a.b."],
           ["include", "include:", "include=_spf.example.com", "include:example",
            "include:_spf.example.com/24"]),
    *table("a", ["a", "a/24", "a//64", "a/24//64", "a:example.com", "a:example.com/24",
                 "A:%{d}/0//0", "a:example.com.//128"],
           ["a:", "a/024", "a:example", "a:192.0.2.1", "a/24/64", "ab"]),
    *table("mx", ["mx", "mx/24", "mx:mail.example.com//64", "MX"],
           ["mx:", "mx:mail", "mxs"]),
    *table("ptr", ["ptr", "ptr:example.com", "PTR:%{d}"], ["ptr/24", "ptr:", "prt"]),
    *table("ip4", ["ip4:192.0.2.0/24", "ip4:192.0.2.1", "IP4:0.0.0.0/0"],
           ["ip4:192.0.2.0/024", "ip4:2001:db8::1", "ip4:", "ip4", "ip4:300.1.1.1",
            "ip4:192.0.2.0/24//64"]),
    *table("ip6", ["ip6:2001:db8::/32", "ip6:::1", "IP6:::ffff:192.0.2.1/128"],
           ["ip6:", "ip6:2001:db8::/0128", "ip6:192.0.2.1"]),
    *table("exists", ["exists:%{i}._spf.%{d}", "exists:example.com"],
           ["exists", "exists:", "exists:example.com/24"]),
    *table("mechanism", ["all", "include:example.com", "ip4:192.0.2.1", "exists:%{d}"],
           ["-all", "redirect=example.com", "foo"]),
    *table("directive", ["-all", "+include:example.com", "~mx/24", "?a", "ptr"],
           ["*all", "--all", "- all", "redirect=example.com"]),
    *table("redirect", ["redirect=_spf.example.com", "REDIRECT=%{d}"],
           ["redirect:_spf.example.com", "redirect=", "redirect=example", "redirect"]),
    *table("explanation", ["exp=explain.example.com", "exp=explain.%{d}"],
           ["exp=", "exp:explain.example.com", "exp=Not allowed"]),
    # unknown-modifier: any name but a known modifier's.
    *table("unknown-modifier", ["foo=bar", "foo=", "redirector=example.com", "x.y-z_w=%{i}",
                                "expire=1"],
           ["redirect=example.com", "REDIRECT=example.com", "exp=example.com",
            "Exp=example.com", "1x=bar", "foo=50%", "foo"]),
    *table("modifier", ["redirect=_spf.example.com", "exp=x.example.com", "foo=bar"],
           ["redirect=example", "redirect:x.example.com", "-foo=bar"]),
    *table("terms", ["", " a", " a  mx   -all", " foo=bar redirect=x.example.com"],
           ["a", " a,mx", "\ta"]),
    *table("record", ["v=spf1", "v=spf1 ", "V=SPF1 -ALL", "v=spf1  a   mx  -all  ",
                      "v=spf1 ip4:192.0.2.0/24 include:_spf.example.com ~all",
                      "v=spf1 redirect=_spf.example.com", "v=spf1 foo=bar -all"],
           ["v=spf1-all", "v=spf10", " v=spf1", "v=spf1\t-all", "v=spf1 a,mx",
            "v=spf1 ipv4:192.0.2.1", "v=spf1 include: example.com", "", "spf1 -all",
            "v=spf1 -all\n"]),
]


@pytest.mark.parametrize(("production", "text", "ok"), CASES)
def test_production(production: str, text: str, ok: bool) -> None:
    assert accepts(production, text) is ok


def test_every_production_has_cases() -> None:
    tested = {case.values[0] for case in CASES}
    assert tested == set(grammar.PRODUCTIONS), sorted(set(grammar.PRODUCTIONS) - tested)


@pytest.mark.parametrize("text", ["v=spf1 -all\n", "v=spf1 -all\t", "v=spf1\t-all",
                                  "v=spf1 -all\r\n"])
def test_record_itself_is_strict(text: str) -> None:
    with pytest.raises(pp.ParseBaseException):
        grammar.record.parse_string(text, parse_all=True)


def test_hyphenated_toplabel_inside_records() -> None:
    for text in ("v=spf1 include:x.a-1 -all", "v=spf1 a:mail.x--y/24 -all"):
        grammar.record.parse_string(text, parse_all=True)
