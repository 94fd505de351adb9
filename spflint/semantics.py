"""RFC 7208 term semantics and limits, defined once for the evaluator, the walk and the IP space."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .ast import LOOKUP_MECHANISMS, Directive, Record, Redirect, Term
from .dns.names import canonical

if TYPE_CHECKING:  # ``lint`` loads this module and needs nothing of the DNS layer's types
    from .dns.base import RecordValue

MAX_LOOKUPS = 10  # terms that query DNS per evaluation: include a mx ptr exists redirect (§4.6.4)
MAX_VOID_LOOKUPS = 2  # lookups answering NXDOMAIN or no records, per evaluation (§4.6.4)
# An MX set of more records than this makes the mx term a permerror (§4.6.4). Records, not
# distinct names: the RFC's test suite ("mx-limit") has 11 records naming 2 hosts.
MAX_MX_RECORDS = 10
MAX_PTR_NAMES = 10  # PTR names past this are ignored (§4.6.4, §5.5)

RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")
QUALIFIER_RESULTS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}


@dataclass(frozen=True)
class Evaluated:
    """What receivers evaluate of one record, for an address that matches nothing.

    ``directives`` are the mechanisms in order, up to and including the first ``all``;
    ``redirect`` is the ``redirect=`` that applies (none when the record has ``all``, §6.1);
    ``ignored`` are the terms never evaluated: mechanisms after ``all`` (§5.1) and a redirect
    beside ``all``.
    """

    directives: tuple[Directive, ...]
    redirect: Redirect | None
    ignored: tuple[Term, ...]

    @property
    def lookups(self) -> int:
        """The record's own lookup cost (its includes' and redirect's targets not counted)."""
        own = sum(1 for d in self.directives if d.kind in LOOKUP_MECHANISMS)
        return own + (1 if self.redirect is not None else 0)


def evaluated(record: Record) -> Evaluated:
    """The terms of ``record`` that receivers evaluate, and those they never do."""
    directives = record.live_directives
    ignored: list[Term] = list(record.directives[len(directives):])
    redirect = record.redirect
    if redirect is not None and record.all_index is not None:
        ignored.append(redirect)
        redirect = None
    return Evaluated(directives, redirect, tuple(ignored))


def has_duplicate_modifier(record: Record) -> str | None:
    """``redirect`` or ``exp`` when the record has it more than once (a permerror, §6)."""
    for kind in ("redirect", "exp"):
        if sum(1 for m in record.modifiers if m.kind == kind) > 1:
            return kind
    return None


@dataclass(frozen=True)
class MxHosts:
    """What an ``mx`` term does with an MX answer (§5.4, §4.6.4).

    ``names`` are the exchanges whose addresses are looked up, in preference order, each
    once, the null MX (``.``, RFC 7505) left out; ``preferences`` the lowest preference of
    each; ``records`` is how many MX records the answer had. More than
    :data:`MAX_MX_RECORDS` records make the term a permerror.
    """

    names: tuple[str, ...]
    records: int
    preferences: tuple[int, ...] = ()

    @property
    def too_many(self) -> bool:
        return self.records > MAX_MX_RECORDS


def mx_hosts(records: Sequence[RecordValue]) -> MxHosts:
    """The exchanges of an MX answer as an ``mx`` term uses them."""
    exchanges = [v for v in records if isinstance(v, tuple) and len(v) == 2
                 and isinstance(v[0], int)]
    names: list[str] = []
    preferences: list[int] = []
    for preference, exchange in sorted(exchanges, key=lambda v: int(v[0])):
        name = canonical(str(exchange))
        if name and name not in names:  # in preference order: the first is the lowest
            names.append(name)
            preferences.append(int(preference))
    return MxHosts(tuple(names), len(exchanges), tuple(preferences))


def include_result(inner: str) -> str:
    """What an ``include`` makes of its target's result (§5.2): ``match``, ``no-match``, or
    the error the whole evaluation ends with (``none`` becomes ``permerror``)."""
    if inner == "pass":
        return "match"
    if inner in ("fail", "softfail", "neutral"):
        return "no-match"
    if inner == "none":
        return "permerror"
    return inner


def redirect_result(inner: str) -> str:
    """The result a ``redirect=`` gives for its target's result (§6.1: ``none`` is an error)."""
    return "permerror" if inner == "none" else inner


def query_cap(max_lookups: int = MAX_LOOKUPS) -> int:
    """The most DNS questions one evaluation can need under the RFC's limits.

    One TXT query for the first record; each of ``max_lookups`` terms at most 11 queries (an
    ``mx`` asks for the MX set and the addresses of at most 10 names, a ``ptr`` for the PTR set
    and at most 10 addresses); the ``%{p}`` macro once per evaluation (1 + 10); one TXT query
    for the explanation. With the default limit of 10 this is 123.
    """
    per_term = 1 + max(MAX_MX_RECORDS, MAX_PTR_NAMES)
    return 1 + max_lookups * per_term + (1 + MAX_PTR_NAMES) + 1
