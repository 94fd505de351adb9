"""Turn record text into the syntax tree of ``spflint.ast``, or positioned problems."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

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
    Mechanism,
    Record,
    Redirect,
    Span,
    Term,
    UnknownModifier,
)
from .errors import SpfSyntaxError
from .findings import Fix

if TYPE_CHECKING:
    import pyparsing as pp


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
    if "%" not in text:  # the common case: one literal
        span = Span(offset, offset + len(text))
        return MacroString((MacroLiteral(text, span),) if text else (), span)
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


# --- building nodes from one matched term ----------------------------------------------------
# A term's production names its parts ``domain``, ``cidr4``, ``cidr6``, ``address``, ``name``
# and ``value``. The run-time expression (``spflint._fastparse``) matches a whole term with
# those groups renamed ``<kind>_<part>``; the pyparsing grammar re-reads the term with its
# production's own expression. Both build the nodes here, from the parts' offsets.


class _Invalid(Exception):
    """A term the regular grammar accepts but the value checks reject (e.g. bad IPv6)."""


def _domain(m: re.Match[str], base: int, prefix: str) -> MacroString | None:
    group = prefix + "domain"
    text = m.group(group)
    return None if text is None else parse_macro_string(text, base + m.start(group))


def _cidr(m: re.Match[str], group: str, limit: int) -> int | None:
    text = m.group(group)
    if text is None:
        return None
    value = int(text[1:])
    if value > limit:
        raise _Invalid(f"CIDR length over {limit}")
    return value


def _build_mechanism(kind: str, m: re.Match[str], base: int, prefix: str,
                     span: Span) -> Mechanism:
    if kind == "include":
        return Include(_required(_domain(m, base, prefix)), span)
    if kind == "ip4":
        # The grammar has checked the dotted quad (qnum): build the address from its value.
        a, b, c, d = m.group(prefix + "address").split(".")
        value = (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)
        return IP4(ipaddress.IPv4Address(value), _cidr(m, prefix + "cidr4", 32), span)
    if kind == "all":
        return All(span)
    if kind in ("a", "mx"):
        cls = A if kind == "a" else MX
        return cls(_domain(m, base, prefix), _cidr(m, prefix + "cidr4", 32),
                   _cidr(m, prefix + "cidr6", 128), span)
    if kind == "ip6":
        try:
            address = ipaddress.IPv6Address(m.group(prefix + "address"))
        except ValueError:
            raise _Invalid("invalid IPv6 address") from None
        return IP6(address, _cidr(m, prefix + "cidr6", 128), span)
    if kind == "exists":
        return Exists(_required(_domain(m, base, prefix)), span)
    return PTR(_domain(m, base, prefix), span)


def _required(domain: MacroString | None) -> MacroString:
    assert domain is not None  # the production's pattern makes the domain mandatory
    return domain


def _make_term(kind: str, m: re.Match[str], base: int, prefix: str, qualifier: str,
               loc: int, start: int, end: int) -> Term:
    """The node for a term of production ``kind`` at ``[start, end)`` (its qualifier, if any,
    at ``loc``); the parts are the groups ``<prefix><part>`` of ``m``, offset by ``base``.

    :raises _Invalid: a value the grammar cannot check is out of range.
    """
    span = Span(start, end)
    if kind == "redirect":
        return Redirect(_required(_domain(m, base, prefix)), span)
    if kind == "explanation":
        return Explanation(_required(_domain(m, base, prefix)), span)
    if kind == "unknown_modifier":
        value_group = prefix + "value"
        value = m.group(value_group) or ""
        return UnknownModifier(m.group(prefix + "name"),
                               parse_macro_string(value, base + m.start(value_group)), span)
    return Directive(qualifier, _build_mechanism(kind, m, base, prefix, span), Span(loc, end))


# --- the run-time parse ------------------------------------------------------------------------

_RUNTIME: ModuleType | None = None


def _runtime() -> ModuleType:
    # Imported on first use: compiling the expressions is most of the cost of a first parse.
    global _RUNTIME
    if _RUNTIME is None:
        from . import _fastparse

        _RUNTIME = _fastparse
    return _RUNTIME


def match_record(text: str) -> Record | None:
    """The tree of ``text`` when the grammar and the value checks (CIDR lengths, IPv6
    addresses) accept it, else None; ``parse_record`` adds the label and macro checks.

    ``record = version *( 1*SP term ) *SP``: the version, one match per term, then spaces
    only. A term runs to the next space, so matching term by term accepts exactly what one
    expression for the whole record would.
    """
    runtime = _runtime()
    version = runtime.VERSION.match(text)
    if version is None:
        return None
    pos = version.end()
    match = runtime.SPACED_TERM.match
    terms: list[Term] = []
    try:
        while (m := match(text, pos)) is not None:
            kind = m.lastgroup
            assert kind is not None
            start, pos = m.span(kind)
            qualifier = m.group("qualifier") or ""
            loc = m.start("qualifier") if qualifier else start
            terms.append(_make_term(kind, m, 0, f"{kind}_", qualifier, loc, start, pos))
    except _Invalid:
        return None
    if text.count(" ", pos) != len(text) - pos:
        return None
    return Record(tuple(terms), text, Span(0, len(text)))


# --- parse actions of the pyparsing grammar (spflint.grammar attaches them) -------------------


def term_action(s: str, loc: int, toks: pp.ParseResults) -> Term:
    return _grammar_term(s, toks[0])


def terms_action(s: str, loc: int, toks: pp.ParseResults) -> list[Term]:
    from . import grammar as g

    whole: re.Match[str] = toks[0]
    return [_grammar_term(s, m) for m in g.SPACED_TERM_RE.finditer(s, whole.start(), whole.end())]


def record_action(s: str, loc: int, toks: pp.ParseResults) -> Record:
    from . import grammar as g

    whole: re.Match[str] = toks[0]
    start, end = whole.span("terms")
    terms = tuple(_grammar_term(s, m) for m in g.SPACED_TERM_RE.finditer(s, start, end))
    return Record(terms, s, Span(0, len(s)))


def _grammar_term(s: str, match: re.Match[str]) -> Term:
    import pyparsing as pp

    from . import grammar as g

    kind = match.lastgroup
    assert kind is not None
    qualifier = match.group("qualifier") or ""
    loc = match.start("qualifier") if qualifier else match.start(kind)
    start = match.start(kind)
    # Matching the term alone makes the production's group offsets relative to its start.
    m = g.TERM_PRODUCTIONS[kind].re.match(s[start : match.end()])
    assert m is not None
    try:
        return _make_term(kind, m, start, "", qualifier, loc, start, match.end())
    except _Invalid as exc:
        raise pp.ParseException(s, match.start(), str(exc)) from None


# Macro letters allowed only in explanation text (RFC 7208 §7.1 and §7.2).
EXP_ONLY_LETTERS = frozenset("crt")


_LONG_RUN = re.compile(r"[^.]{64,}")


def _domain_problems(domain: MacroString) -> list[Problem]:
    """Empty or over-long labels in the literal text of a domain-spec.

    The ABNF accepts them (a macro-literal may be a dot), but no DNS query can be made for
    such a name; RFC 7208 leaves the outcome open and the openspf suite accepts permerror.
    """
    problems: list[Problem] = []
    text = domain.render()
    if ".." not in text and not text.startswith(".") and (
        len(text) < 64 or (len(text) <= 253 and not _LONG_RUN.search(text))
    ):
        return problems
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


# Texts with none of these cannot have a macro, an empty label, an over-long label or an
# over-long name.
_SUSPECT = re.compile(r"%|\.\.|[:=]\.|[^. ]{64}|[^ ]{254}")


def _macro_problems(record: Record) -> list[Problem]:
    """Problems the regex grammar cannot express: ``%{d0}``, exp-only letters, bad labels."""
    problems: list[Problem] = []
    if not _SUSPECT.search(record.text):
        return problems
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


# No DNS message holds a longer record (RFC 1035 §4.2.2: 65,535 octets over TCP). Past this
# a text is not parsed: it would cost seconds per megabyte, everywhere it is read again.
MAX_RECORD_OCTETS = 65535


@functools.lru_cache(maxsize=4096)
def parse_record(text: str) -> Record:
    """Parse one SPF record text (the joined TXT strings).

    The result is cached by text: records are immutable and repeat a lot across domains.

    :raises SpfSyntaxError: the text is not a valid SPF record; ``problems`` lists every
        problem found, each with a rule code and a position. A text over
        :data:`MAX_RECORD_OCTETS` is one SPF202 problem, unparsed.
    """
    if len(text) > MAX_RECORD_OCTETS // 4:
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_RECORD_OCTETS:
            raise SpfSyntaxError([Problem(
                "SPF202", f"the record is {size} octets: no DNS answer can carry more than "
                f"{MAX_RECORD_OCTETS}, so it is not checked further", 0, min(len(text), 6),
                hint="a published record is at most a few hundred octets: shorten it, or "
                     "move terms into included subdomains")], text)
    try:
        record = match_record(text)
    except (RecursionError, ValueError):  # defensive: never leak a foreign exception
        record = None
    if record is None:
        from .diagnose import diagnose

        raise SpfSyntaxError(diagnose(text), text) from None
    problems = _macro_problems(record)
    if problems:
        raise SpfSyntaxError(problems, text)
    return record


def is_spf_record(text: str) -> bool:
    """True when the text is an SPF record by RFC 7208 §4.5 (starts ``v=spf1`` + SP or end)."""
    return text[:6].lower() == "v=spf1" and (len(text) == 6 or text[6] == " ")
