"""Frozen, typed SPF syntax tree with source spans, rendering and canonical form."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range ``[start, end)`` in the record text (0-based)."""

    start: int
    end: int

    @property
    def column(self) -> int:
        """1-based column of the first character."""
        return self.start + 1


NOSPAN = Span(0, 0)
# Spans never take part in equality: two trees that render alike are equal.


# --- macro strings (RFC 7208 §7) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MacroLiteral:
    """Literal text inside a macro string."""

    text: str
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class MacroEscape:
    """``%%``, ``%_`` or ``%-``: a literal percent, space or URL-encoded space."""

    char: str  # "%", "_" or "-"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "%" + self.char

    @property
    def value(self) -> str:
        return {"%": "%", "_": " ", "-": "%20"}[self.char]


@dataclass(frozen=True, slots=True)
class MacroExpand:
    """``%{letter transformers delimiters}``; an upper-case letter means URL-escape (§7.3)."""

    letter: str  # lower-case macro letter
    url_escape: bool = False
    digits: int | None = None
    reverse: bool = False
    delimiters: str = ""
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        letter = self.letter.upper() if self.url_escape else self.letter
        digits = "" if self.digits is None else str(self.digits)
        return "%{" + letter + digits + ("r" if self.reverse else "") + self.delimiters + "}"


MacroPart = MacroLiteral | MacroEscape | MacroExpand


@dataclass(frozen=True, slots=True)
class MacroString:
    """A macro string: literals, escapes and expansions in order."""

    parts: tuple[MacroPart, ...]
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "".join(p.render() for p in self.parts)

    @property
    def is_dynamic(self) -> bool:
        """True when the text contains a macro expansion (its value depends on the query)."""
        return any(isinstance(p, MacroExpand) for p in self.parts)

    @property
    def letters(self) -> frozenset[str]:
        return frozenset(p.letter for p in self.parts if isinstance(p, MacroExpand))

    def __str__(self) -> str:
        return self.render()


def literal_domain(text: str) -> MacroString:
    """A macro string holding one literal (for building trees in code)."""
    return MacroString((MacroLiteral(text),))


# Networks are built often (rules, the evaluator, the IP-space model) from few distinct terms.
@functools.lru_cache(maxsize=8192)
def _network4(address: ipaddress.IPv4Address, prefix: int) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((address, prefix), strict=False)


@functools.lru_cache(maxsize=8192)
def _network6(address: ipaddress.IPv6Address, prefix: int) -> ipaddress.IPv6Network:
    return ipaddress.IPv6Network((address, prefix), strict=False)


# --- mechanisms (RFC 7208 §5) --------------------------------------------------------------


def _cidr(cidr4: int | None, cidr6: int | None) -> str:
    out = "" if cidr4 is None else f"/{cidr4}"
    if cidr6 is not None:
        out += f"//{cidr6}"
    return out


@dataclass(frozen=True, slots=True)
class All:
    """``all``: always matches."""

    kind: ClassVar[str] = "all"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "all"


@dataclass(frozen=True, slots=True)
class Include:
    """``include:<domain-spec>``."""

    domain: MacroString
    kind: ClassVar[str] = "include"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "include:" + self.domain.render()


@dataclass(frozen=True, slots=True)
class A:
    """``a[:<domain-spec>][<dual-cidr-length>]``."""

    domain: MacroString | None = None
    cidr4: int | None = None
    cidr6: int | None = None
    kind: ClassVar[str] = "a"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        target = "" if self.domain is None else ":" + self.domain.render()
        return self.kind + target + _cidr(self.cidr4, self.cidr6)


@dataclass(frozen=True, slots=True)
class MX:
    """``mx[:<domain-spec>][<dual-cidr-length>]``."""

    domain: MacroString | None = None
    cidr4: int | None = None
    cidr6: int | None = None
    kind: ClassVar[str] = "mx"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        target = "" if self.domain is None else ":" + self.domain.render()
        return self.kind + target + _cidr(self.cidr4, self.cidr6)


@dataclass(frozen=True, slots=True)
class PTR:
    """``ptr[:<domain-spec>]`` (deprecated, §5.5)."""

    domain: MacroString | None = None
    kind: ClassVar[str] = "ptr"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "ptr" + ("" if self.domain is None else ":" + self.domain.render())


@dataclass(frozen=True, slots=True)
class IP4:
    """``ip4:<ip4-network>[<ip4-cidr-length>]``."""

    address: ipaddress.IPv4Address
    prefix: int | None = None
    kind: ClassVar[str] = "ip4"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    @property
    def network(self) -> ipaddress.IPv4Network:
        """The range matched (host bits are ignored, as evaluators do)."""
        return _network4(self.address, 32 if self.prefix is None else self.prefix)

    def render(self) -> str:
        return f"ip4:{self.address}" + ("" if self.prefix is None else f"/{self.prefix}")


@dataclass(frozen=True, slots=True)
class IP6:
    """``ip6:<ip6-network>[<ip6-cidr-length>]``."""

    address: ipaddress.IPv6Address
    prefix: int | None = None
    kind: ClassVar[str] = "ip6"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    @property
    def network(self) -> ipaddress.IPv6Network:
        """The range matched (host bits are ignored, as evaluators do)."""
        return _network6(self.address, 128 if self.prefix is None else self.prefix)

    def render(self) -> str:
        return f"ip6:{self.address}" + ("" if self.prefix is None else f"/{self.prefix}")


@dataclass(frozen=True, slots=True)
class Exists:
    """``exists:<domain-spec>``."""

    domain: MacroString
    kind: ClassVar[str] = "exists"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "exists:" + self.domain.render()


Mechanism = All | Include | A | MX | PTR | IP4 | IP6 | Exists

# Mechanisms that cost one DNS lookup each towards the limit of 10 (§4.6.4).
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})


@dataclass(frozen=True, slots=True)
class Directive:
    """A qualifier (``""`` when omitted, which means ``+``) and a mechanism."""

    qualifier: str
    mechanism: Mechanism
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    @property
    def result_qualifier(self) -> str:
        return self.qualifier or "+"

    @property
    def kind(self) -> str:
        return self.mechanism.kind

    def render(self) -> str:
        return self.qualifier + self.mechanism.render()


# --- modifiers (RFC 7208 §6) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Redirect:
    """``redirect=<domain-spec>``."""

    domain: MacroString
    kind: ClassVar[str] = "redirect"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "redirect=" + self.domain.render()


@dataclass(frozen=True, slots=True)
class Explanation:
    """``exp=<domain-spec>``."""

    domain: MacroString
    kind: ClassVar[str] = "exp"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return "exp=" + self.domain.render()


@dataclass(frozen=True, slots=True)
class UnknownModifier:
    """``name=<macro-string>`` for a name that is not ``redirect`` or ``exp`` (§6)."""

    name: str
    value: MacroString
    kind: ClassVar[str] = "unknown-modifier"
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    def render(self) -> str:
        return f"{self.name}={self.value.render()}"


Modifier = Redirect | Explanation | UnknownModifier
Term = Directive | Redirect | Explanation | UnknownModifier


@dataclass(frozen=True, slots=True)
class Record:
    """A parsed SPF record: the version tag and its terms in order."""

    terms: tuple[Term, ...]
    text: str = field(default="v=spf1", compare=False, repr=False)
    span: Span = field(default=NOSPAN, compare=False, repr=False)

    # Views derived once from ``terms`` (rules ask for them many times per record).
    directives: tuple[Directive, ...] = field(init=False, compare=False, repr=False)
    modifiers: tuple[Modifier, ...] = field(init=False, compare=False, repr=False)
    live_directives: tuple[Directive, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        directives = tuple(t for t in self.terms if isinstance(t, Directive))
        live = directives
        for index, directive in enumerate(directives):
            if isinstance(directive.mechanism, All):
                live = directives[: index + 1]
                break
        object.__setattr__(self, "directives", directives)
        object.__setattr__(self, "modifiers",
                           tuple(t for t in self.terms if not isinstance(t, Directive)))
        # Directives up to and including the first ``all``: the ones ever evaluated (§5.1).
        object.__setattr__(self, "live_directives", live)

    @property
    def redirect(self) -> Redirect | None:
        return next((t for t in self.terms if isinstance(t, Redirect)), None)

    @property
    def explanation(self) -> Explanation | None:
        return next((t for t in self.terms if isinstance(t, Explanation)), None)

    @property
    def all_index(self) -> int | None:
        """Index in ``terms`` of the first ``all`` directive, if any."""
        for i, term in enumerate(self.terms):
            if isinstance(term, Directive) and isinstance(term.mechanism, All):
                return i
        return None

    def render(self) -> str:
        """Text with lower-case names and single spaces, terms in their written order."""
        return " ".join(["v=spf1", *(t.render() for t in self.terms)])

    def canonical(self) -> Record:
        """An equivalent record in canonical order.

        Mechanisms keep their order (first match wins) up to the first ``all``; mechanisms
        after ``all`` are dropped because they are never evaluated (§5.1); modifiers follow the
        mechanisms in their written order. Names are lower-case and ``+`` is left implicit.
        """
        mechanisms: list[Term] = []
        for term in self.directives:
            mechanisms.append(Directive("" if term.qualifier == "+" else term.qualifier,
                                        term.mechanism))
            if isinstance(term.mechanism, All):
                break
        return Record(tuple(mechanisms) + self.modifiers)

    def __str__(self) -> str:
        return self.render()
