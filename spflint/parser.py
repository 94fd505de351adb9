"""Turn record text into the syntax tree of ``spflint.ast``, or positioned problems."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

import pyparsing as pp

from . import grammar as g
from .ast import (
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
    Span,
    Term,
    UnknownModifier,
)
from .errors import SpfSyntaxError
from .findings import Fix


@dataclass(frozen=True)
class Problem:
    """A syntax problem at ``[start, end)`` of the record text, with the rule code to report."""

    code: str
    message: str
    start: int
    end: int
    hint: str | None = None
    fix: Fix | None = None

    @property
    def column(self) -> int:
        return self.start + 1

    @property
    def end_column(self) -> int:
        return max(self.end, self.start + 1) + 1


_MACRO_TOKEN = re.compile(
    r"%\{(?P<letter>[A-Za-z])(?P<digits>[0-9]*)(?P<rev>[rR]?)(?P<delims>[-.+,/_=]*)\}"
    r"|%(?P<escape>[%_-])"
    r"|(?P<literal>[^%]+)"
)


def parse_macro_string(text: str, offset: int = 0) -> MacroString:
    """Split already-validated macro-string text into parts with absolute spans."""
    parts: list[MacroPart] = []
    for m in _MACRO_TOKEN.finditer(text):
        span = Span(offset + m.start(), offset + m.end())
        if m.group("literal") is not None:
            parts.append(MacroLiteral(m.group("literal"), span))
        elif m.group("escape") is not None:
            parts.append(MacroEscape(m.group("escape"), span))
        else:
            letter = m.group("letter")
            digits = m.group("digits")
            parts.append(
                MacroExpand(
                    letter=letter.lower(),
                    url_escape=letter.isupper(),
                    digits=int(digits) if digits else None,
                    reverse=bool(m.group("rev")),
                    delimiters=m.group("delims"),
                    span=span,
                )
            )
    return MacroString(tuple(parts), Span(offset, offset + len(text)))


# --- parse actions ---------------------------------------------------------------------------
# Each receives the match of one mechanism or modifier regex; ``loc`` is its start offset.


def _domain(toks: pp.ParseResults, start: int) -> MacroString | None:
    text = toks.get("domain")
    return None if text is None else parse_macro_string(text, start)


def _cidrs(toks: pp.ParseResults) -> tuple[int | None, int | None]:
    c4 = toks.get("cidr4")
    c6 = toks.get("cidr6")
    return (None if c4 is None else int(c4[1:]), None if c6 is None else int(c6[1:]))


def _check_cidr(s: str, loc: int, cidr4: int | None, cidr6: int | None) -> None:
    if cidr4 is not None and cidr4 > 32:
        raise pp.ParseException(s, loc, "ip4 CIDR length over 32")
    if cidr6 is not None and cidr6 > 128:
        raise pp.ParseException(s, loc, "ip6 CIDR length over 128")


def _act_all(s: str, loc: int, toks: pp.ParseResults) -> All:
    return All(Span(loc, loc + len(toks[0])))


def _act_include(s: str, loc: int, toks: pp.ParseResults) -> Include:
    domain = _domain(toks, loc + 8)
    assert domain is not None
    return Include(domain, Span(loc, loc + len(toks[0])))


def _act_exists(s: str, loc: int, toks: pp.ParseResults) -> Exists:
    domain = _domain(toks, loc + 7)
    assert domain is not None
    return Exists(domain, Span(loc, loc + len(toks[0])))


def _act_a(s: str, loc: int, toks: pp.ParseResults) -> A:
    cidr4, cidr6 = _cidrs(toks)
    _check_cidr(s, loc, cidr4, cidr6)
    return A(_domain(toks, loc + 2), cidr4, cidr6, Span(loc, loc + len(toks[0])))


def _act_mx(s: str, loc: int, toks: pp.ParseResults) -> MX:
    cidr4, cidr6 = _cidrs(toks)
    _check_cidr(s, loc, cidr4, cidr6)
    return MX(_domain(toks, loc + 3), cidr4, cidr6, Span(loc, loc + len(toks[0])))


def _act_ptr(s: str, loc: int, toks: pp.ParseResults) -> PTR:
    return PTR(_domain(toks, loc + 4), Span(loc, loc + len(toks[0])))


def _act_ip4(s: str, loc: int, toks: pp.ParseResults) -> IP4:
    cidr4, _ = _cidrs(toks)
    _check_cidr(s, loc, cidr4, None)
    return IP4(ipaddress.IPv4Address(toks["address"]), cidr4, Span(loc, loc + len(toks[0])))


def _act_ip6(s: str, loc: int, toks: pp.ParseResults) -> IP6:
    _, cidr6 = _cidrs(toks)
    _check_cidr(s, loc, None, cidr6)
    try:
        address = ipaddress.IPv6Address(toks["address"])
    except ValueError:
        raise pp.ParseException(s, loc, "invalid IPv6 address") from None
    return IP6(address, cidr6, Span(loc, loc + len(toks[0])))


def _act_directive(s: str, loc: int, toks: pp.ParseResults) -> Directive:
    mech = toks[-1]
    qualifier = toks[0] if len(toks) == 2 else ""
    return Directive(qualifier, mech, Span(loc, mech.span.end))


def _act_redirect(s: str, loc: int, toks: pp.ParseResults) -> Redirect:
    domain = _domain(toks, loc + 9)
    assert domain is not None
    return Redirect(domain, Span(loc, loc + len(toks[0])))


def _act_exp(s: str, loc: int, toks: pp.ParseResults) -> Explanation:
    domain = _domain(toks, loc + 4)
    assert domain is not None
    return Explanation(domain, Span(loc, loc + len(toks[0])))


def _act_unknown(s: str, loc: int, toks: pp.ParseResults) -> UnknownModifier:
    name = toks["name"]
    value = parse_macro_string(toks.get("value", ""), loc + len(name) + 1)
    return UnknownModifier(name, value, Span(loc, loc + len(toks[0])))


def _install_actions() -> None:
    g.all_.set_parse_action(_act_all)
    g.include.set_parse_action(_act_include)
    g.exists.set_parse_action(_act_exists)
    g.a.set_parse_action(_act_a)
    g.mx.set_parse_action(_act_mx)
    g.ptr.set_parse_action(_act_ptr)
    g.ip4.set_parse_action(_act_ip4)
    g.ip6.set_parse_action(_act_ip6)
    g.directive.set_parse_action(_act_directive)
    g.redirect.set_parse_action(_act_redirect)
    g.explanation.set_parse_action(_act_exp)
    g.unknown_modifier.set_parse_action(_act_unknown)


_install_actions()

# Macro letters allowed only in explanation text (RFC 7208 §7.1 and §7.2).
EXP_ONLY_LETTERS = frozenset("crt")


def _domain_problems(domain: MacroString) -> list[Problem]:
    """Empty or over-long labels in the literal text of a domain-spec.

    The ABNF accepts them (a macro-literal may be a dot), but no DNS query can be made for
    such a name; RFC 7208 leaves the outcome open and the openspf suite accepts permerror.
    """
    problems: list[Problem] = []
    text = domain.render()
    if not domain.is_dynamic:
        name = text[:-1] if text.endswith(".") else text
        if len(name) > 253:
            problems.append(Problem("SPF106", f"domain is {len(name)} octets long; the limit "
                                    "is 253", domain.span.start, domain.span.end))
    for part in domain.parts:
        if not isinstance(part, MacroLiteral):
            continue
        offset = part.span.start
        for m in re.finditer(r"[^.]{64,}|\.\.", part.text):
            # A long run of literal text only counts when it is a whole label.
            if m.group() == "..":
                problems.append(Problem("SPF106", f"empty label in '{text}' (two dots in a "
                                        "row)", offset + m.start() + 1, offset + m.end()))
            elif _whole_label(domain, part, m):
                problems.append(Problem("SPF106", f"label of {len(m.group())} octets in "
                                        f"'{text}'; the limit is 63", offset + m.start(),
                                        offset + m.end()))
    if text.startswith("."):
        problems.append(Problem("SPF106", f"empty label at the start of '{text}'",
                                domain.span.start, domain.span.start + 1))
    return problems


def _whole_label(domain: MacroString, part: MacroLiteral, m: re.Match[str]) -> bool:
    idx = domain.parts.index(part)
    starts = m.start() > 0 or idx == 0
    ends = m.end() < len(part.text) or idx == len(domain.parts) - 1
    return starts and ends


def _macro_problems(record: Record) -> list[Problem]:
    """Problems the regex grammar cannot express: ``%{d0}``, exp-only letters, bad labels."""
    problems: list[Problem] = []
    for term in record.terms:
        if isinstance(term, UnknownModifier):
            continue  # ignored by evaluators (§6), so its macros are never expanded
        mech = term.mechanism if isinstance(term, Directive) else term
        domain = getattr(mech, "domain", None)
        if domain is None:
            continue
        problems.extend(_domain_problems(domain))
        for part in domain.parts:
            if not isinstance(part, MacroExpand):
                continue
            if part.digits == 0:
                problems.append(Problem(
                    "SPF107", f"macro '{part.render()}' keeps zero labels; the digit must be "
                    "1 to 128", part.span.start, part.span.end))
            elif part.letter in EXP_ONLY_LETTERS:
                problems.append(Problem(
                    "SPF107", f"macro '%{{{part.letter}}}' is allowed only in explanation text",
                    part.span.start, part.span.end))
    return problems


@functools.lru_cache(maxsize=4096)
def parse_record(text: str) -> Record:
    """Parse one SPF record text (the joined TXT strings).

    The result is cached by text: records are immutable and repeat a lot across domains.

    :raises SpfSyntaxError: the text is not a valid SPF record; ``problems`` lists every
        problem found, each with a rule code and a position.
    """
    try:
        toks = g.record.parse_string(text, parse_all=True)
    except pp.ParseBaseException:
        from .diagnose import diagnose

        raise SpfSyntaxError(diagnose(text), text) from None
    except (RecursionError, ValueError):  # defensive: never leak a foreign exception
        from .diagnose import diagnose

        raise SpfSyntaxError(diagnose(text), text) from None
    terms: tuple[Term, ...] = tuple(toks[1:])
    record = Record(terms, text, Span(0, len(text)))
    problems = _macro_problems(record)
    if problems:
        raise SpfSyntaxError(problems, text)
    return record


def is_spf_record(text: str) -> bool:
    """True when the text is an SPF record by RFC 7208 §4.5 (starts ``v=spf1`` + SP or end)."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")
