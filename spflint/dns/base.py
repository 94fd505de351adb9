"""Resolver protocol, answer and outcome types, and the in-memory zone-data model."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol, cast

# Record types SPF evaluation asks for. "SPF" is RR type 99, only queried to report it.
RDTYPES = ("TXT", "A", "AAAA", "MX", "PTR", "SPF", "NS", "CNAME")


class Outcome(enum.Enum):
    """How one query ended; SPF maps these to results (RFC 7208 §2.6, §4.6.4, §5)."""

    OK = "ok"  # at least one record of the asked type
    NXDOMAIN = "nxdomain"  # the name does not exist (a void lookup)
    NODATA = "nodata"  # the name exists, no record of this type (a void lookup)
    TIMEOUT = "timeout"  # no answer in time (temperror)
    SERVFAIL = "servfail"  # server failure or refused (temperror)
    ERROR = "error"  # malformed answer or other failure (temperror)
    LIMIT = "limit"  # spflint's own cap on queries or time was reached (temperror)
    # Nothing is known: offline, and no zone data, repository file or lock speaks for the
    # name. Neither void nor a failure; nothing may be concluded from it.
    UNKNOWN = "unknown"

    @property
    def is_void(self) -> bool:
        return self in (Outcome.NXDOMAIN, Outcome.NODATA)

    @property
    def is_failure(self) -> bool:
        return self in (Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.ERROR, Outcome.LIMIT)

    @property
    def is_unknown(self) -> bool:
        return self is Outcome.UNKNOWN

    @property
    def is_answer(self) -> bool:
        """Whether DNS (or data standing for it) answered: records, NXDOMAIN or NODATA."""
        return self in (Outcome.OK, Outcome.NXDOMAIN, Outcome.NODATA)


# TXT/SPF: one tuple of character-strings (bytes) per record; A/AAAA: address text;
# MX: (preference, exchange); PTR/NS/CNAME/ALIAS: target name. ALIAS (octoDNS, Route 53 and
# other hosts' apex alias) is never asked for: it supplies the A/AAAA answers of its owner.
TxtValue = tuple[bytes, ...]
MxValue = tuple[int, str]
RecordValue = TxtValue | MxValue | str


@dataclass(frozen=True)
class Answer:
    """The answer to one (name, type) question, with where it came from."""

    name: str  # lower-case, no trailing dot
    rdtype: str
    outcome: Outcome
    records: tuple[RecordValue, ...] = ()
    ttl: int | None = None
    source: str = ""  # e.g. "dns 127.0.0.1:53", "zonedata fixtures/demo.yml", "cache"
    size: int | None = None  # wire size of the response message, when known
    tcp: bool = False  # the answer came over TCP (after truncation or by choice)
    detail: str = ""  # human-readable reason for a failure outcome

    def txt_records(self) -> list[TxtValue]:
        """The TXT/SPF records of the answer, each a tuple of character-strings."""
        out: list[TxtValue] = []
        for value in self.records:
            if isinstance(value, tuple) and all(isinstance(s, bytes) for s in value):
                out.append(cast(TxtValue, value))
        return out


@dataclass(frozen=True)
class QueryRecord:
    """One query as accounted by a resolver (for reports and tests)."""

    name: str
    rdtype: str
    outcome: Outcome
    source: str
    elapsed: float  # seconds


class Resolver(Protocol):
    """What SPF evaluation needs from DNS. Implementations never raise for DNS outcomes."""

    async def query(self, name: str, rdtype: str) -> Answer:
        """Ask one question; failures are reported through ``Answer.outcome``."""
        ...


@dataclass
class NameData:
    """Everything zone data says about one owner name."""

    records: list[tuple[str, RecordValue]] = field(default_factory=list)
    timeout: bool = False  # openspf's bare TIMEOUT: the server never answers for this name
    servfail: bool = False  # spflint extension: the server answers SERVFAIL


@dataclass
class ZoneData:
    """Offline DNS data: owner name (lower-case, no trailing dot) to what is there.

    ``apexes`` lists zone origins this data is authoritative for (from zone files): a name
    at or below an apex that has no entry does not exist (NXDOMAIN). ``delegations`` lists
    names below an apex that have NS records (zone cuts): the data does not speak for names
    at or below a cut, unless it holds that child zone's apex too.
    """

    names: dict[str, NameData] = field(default_factory=dict)
    apexes: set[str] = field(default_factory=set)
    source: str = ""
    delegations: set[str] = field(default_factory=set)
    # The data describes the whole DNS (an openspf test scenario, under a ``zonedata:`` key):
    # a name it does not list does not exist.
    complete: bool = False
    # Names whose answers the server computes per query (gdnsd's DYNA: addresses; DYNC: any
    # type, "*"): the data cannot say what they are, so those questions are unknown.
    computed: dict[str, frozenset[str]] = field(default_factory=dict)


def question(name: str, rdtype: str, source: str) -> tuple[str, str] | Answer:
    """The normalised ``(name, type)`` to ask, or an ERROR answer for a name no query can
    carry (backends answer that instead of raising).

    :raises ValueError: for a record type spflint does not query.
    """
    from ..errors import InputError
    from .names import normalize  # names imports nothing of this module; keep base light

    rdtype = rdtype.upper()
    if rdtype not in RDTYPES:
        raise ValueError(f"unsupported record type {rdtype!r}")
    try:
        return normalize(name), rdtype
    except InputError as exc:
        return Answer(name, rdtype, Outcome.ERROR, source=source, detail=exc.message)
