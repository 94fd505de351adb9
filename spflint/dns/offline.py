"""A resolver that answers from zone data the way an authoritative server would."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from spflint.dns.base import (
    Answer,
    NameData,
    Outcome,
    QueryRecord,
    RecordValue,
    ZoneData,
    question,
)
from spflint.dns.names import normalize, to_dns_name
from spflint.errors import InputError

if TYPE_CHECKING:
    import dns.rdata

# dnspython builds the exact size of a response with a CNAME chain (name compression); it is
# imported only then, so a check that never needs it starts without it.

MAX_CNAME_CHAIN = 16


class OfflineResolver:
    """Answers from :class:`ZoneData`: OK, NODATA or NXDOMAIN, CNAMEs followed, failures simulated.

    A name listed with ``TIMEOUT`` (``SERVFAIL``) answers questions for the record types it
    lists and times out (fails) for every other type, as openspf test drivers do.

    The data speaks for a name it lists, for the empty non-terminals above those, and for
    every name at or below one of its zone apexes, except at or below a zone cut (an NS
    delegation inside the zone) whose child zone it does not hold. With ``authoritative_all``
    every other name is NXDOMAIN (openspf test data describes the whole DNS); otherwise the
    answer for such a name is UNKNOWN, and :meth:`covers` lets a layered resolver ask the
    next source instead.

    An ``ALIAS`` record (an apex alias of octoDNS and many DNS hosts) answers the A and AAAA
    questions of its owner with its target's addresses.
    """

    def __init__(self, zonedata: ZoneData, *, authoritative_all: bool = False) -> None:
        self.zonedata = zonedata
        self.authoritative_all = authoritative_all or zonedata.complete
        self.source = f"zonedata {zonedata.source}" if zonedata.source else "zonedata"
        self.log: list[QueryRecord] = []
        self._answers: dict[tuple[str, str], Answer] = {}
        self._parents: set[str] | None = None  # empty non-terminals, worked out when needed

    def covers(self, name: str) -> bool:
        """Whether the data speaks for ``name`` (see the class documentation)."""
        if self.authoritative_all:
            return True
        try:
            name = normalize(name)
        except InputError:
            return False
        authority = self._authority(name)
        if authority is False:
            return False
        return authority is True or self._exists(name)

    def _exists(self, name: str) -> bool:
        if name in self.zonedata.names:
            return True
        if self._parents is None:
            self._parents = _parents_of(self.zonedata.names)
        return name in self._parents

    def _authority(self, name: str) -> bool | None:
        """True at or below an apex of the data, False at or below a zone cut whose child
        zone the data does not hold, None when neither (outside every zone)."""
        apexes, cuts = self.zonedata.apexes, self.zonedata.delegations
        if not apexes and not cuts:
            return None
        # One set lookup per label, deepest first: the closest enclosing zone decides, and a
        # child zone held in the data wins over its parent's delegation of it.
        labels = name.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            if suffix in apexes:
                return True
            if suffix in cuts:
                return False
        return None

    async def query(self, name: str, rdtype: str) -> Answer:
        """Answer one question from the zone data; never raises for DNS outcomes."""
        started = time.perf_counter()
        answer = self.answer(name, rdtype)
        self.log.append(
            QueryRecord(
                answer.name, rdtype, answer.outcome, answer.source, time.perf_counter() - started
            )
        )
        return answer

    def answer(self, name: str, rdtype: str) -> Answer:
        """The synchronous core of :meth:`query` (not logged).

        Zone data does not change once loaded, so each question is worked out once: a batch
        of 10,000 evaluations asks the same few dozen questions over and over.
        """
        key = (name, rdtype)
        cached = self._answers.get(key)
        if cached is None:
            cached = self._answer(name, rdtype)
            self._answers[key] = cached
        return cached

    def _answer(self, name: str, rdtype: str) -> Answer:
        answer, target = self.walk(name, rdtype)
        if answer is not None:
            return answer
        return self._unknown(normalize(name), rdtype.upper(),
                             f"the alias or CNAME target {target} is not covered by the zone data")

    def _unknown(self, qname: str, rdtype: str, detail: str) -> Answer:
        outcome = Outcome.NXDOMAIN if self.authoritative_all else Outcome.UNKNOWN
        return Answer(qname, rdtype, outcome, source=self.source, detail=detail)

    def walk(self, name: str, rdtype: str) -> tuple[Answer | None, str]:
        """Answer from the data, or ``(None, target)`` when a CNAME or ALIAS leads outside it.

        :raises ValueError: for a record type spflint does not query.
        """
        asked = question(name, rdtype, self.source)
        if isinstance(asked, Answer):
            return asked, ""
        qname, rdtype = asked
        current = qname
        chain: list[tuple[str, str]] = []  # (owner, CNAME target) pairs followed
        seen = {qname}
        while True:
            authority = self._authority(current)
            if authority is False:
                if chain:
                    return None, current
                return self._unknown(qname, rdtype, f"{current} is below a zone cut (NS "
                                     "delegation) whose child zone the data does not hold"), ""
            entry = self.zonedata.names.get(current)
            if entry is None:
                if self._exists(current):
                    return self._done(qname, rdtype, Outcome.NODATA, chain, ()), ""
                if authority or self.authoritative_all:
                    return self._done(qname, rdtype, Outcome.NXDOMAIN, chain, ()), ""
                if chain:
                    return None, current
                return self._unknown(qname, rdtype, "name not covered by the zone data"), ""
            records = tuple(value for kind, value in entry.records if kind == rdtype)
            if records:
                return self._done(qname, rdtype, Outcome.OK, chain, records), ""
            computed = self.zonedata.computed.get(current)
            if computed is not None and (rdtype in computed or "*" in computed):
                return Answer(qname, rdtype, Outcome.UNKNOWN, source=self.source,
                              detail=f"{current}'s answers are computed by its server per "
                                     "query (a dynamic record the data cannot evaluate)"), ""
            failure = self._failure(entry, current, qname, rdtype)
            if failure is not None:
                return failure, ""
            targets = [value for kind, value in entry.records if kind == "CNAME"]
            if not targets and rdtype in ("A", "AAAA"):
                targets = [value for kind, value in entry.records if kind == "ALIAS"]
            if not targets or rdtype == "CNAME":
                return self._done(qname, rdtype, Outcome.NODATA, chain, ()), ""
            target = str(targets[0])
            chain.append((current, target))
            if target in seen or len(chain) > MAX_CNAME_CHAIN:
                return Answer(
                    qname,
                    rdtype,
                    Outcome.SERVFAIL,
                    source=self.source,
                    detail=f"CNAME chain from {qname} loops or is longer than {MAX_CNAME_CHAIN}",
                ), ""
            seen.add(target)
            current = target

    def _failure(self, entry: NameData, current: str, qname: str, rdtype: str) -> Answer | None:
        if entry.timeout:
            return Answer(
                qname,
                rdtype,
                Outcome.TIMEOUT,
                source=self.source,
                detail=f"zone data: {current} never answers (TIMEOUT)",
            )
        if entry.servfail:
            return Answer(
                qname,
                rdtype,
                Outcome.SERVFAIL,
                source=self.source,
                detail=f"zone data: {current} answers SERVFAIL",
            )
        return None

    def _done(
        self,
        qname: str,
        rdtype: str,
        outcome: Outcome,
        chain: list[tuple[str, str]],
        records: tuple[RecordValue, ...],
    ) -> Answer:
        final = chain[-1][1] if chain else qname
        size = response_size(qname, rdtype, outcome, chain, final, records)
        detail = ""
        if chain and outcome is not Outcome.OK:
            detail = f"CNAME chain ends at {final}"
        return Answer(qname, rdtype, outcome, records, source=self.source, size=size, detail=detail)


def _parents_of(names: Iterable[str]) -> set[str]:
    """Every name above a listed one (the empty non-terminals among them).

    Walking up stops at the first parent already known: its own parents are known too, so a
    zone of 100,000 names costs about one step per name, not one per label.
    """
    parents: set[str] = set()
    for name in names:
        while True:
            _, dot, name = name.partition(".")
            if not dot or name in parents:
                break
            parents.add(name)
    return parents


def _rdata(rdtype: str, value: RecordValue) -> dns.rdata.Rdata:
    import dns.rdata
    import dns.rdataclass

    if isinstance(value, str):
        text = str(ipaddress.ip_address(value)) if rdtype in ("A", "AAAA") else f"{value}."
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text)
    if rdtype == "MX":
        return dns.rdata.from_text(dns.rdataclass.IN, rdtype, f"{value[0]!s} {value[1]!s}.")
    strings = [s for s in value if isinstance(s, bytes)]
    text = " ".join('"' + "".join(f"\\{b:03d}" for b in s) + '"' for s in strings)
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text or '""')


def response_size(
    qname: str,
    rdtype: str,
    outcome: Outcome,
    chain: list[tuple[str, str]],
    final: str,
    records: tuple[RecordValue, ...],
) -> int:
    """Wire size of the response a server would send for this answer (no EDNS).

    Built with dnspython for ordinary answers (exact, with name compression); huge record
    sets (a hostile zone's 10,000 TXT records) are summed arithmetically, which is exact for
    the answer records and never fails on messages over 65,535 octets.
    """
    if len(records) > _EXACT_LIMIT or not chain:
        # Without a CNAME chain every owner is a pointer to the question: the sum is exact.
        return _arithmetic_size(qname, rdtype, chain, records)
    import dns.exception

    try:
        return _built_size(qname, rdtype, outcome, chain, final, records)
    except dns.exception.DNSException:
        return _arithmetic_size(qname, rdtype, chain, records)


_EXACT_LIMIT = 64


def _name_octets(name: str) -> int:
    return sum(len(label.encode()) + 1 for label in name.split(".") if label) + 1


def _value_octets(rdtype: str, value: RecordValue) -> int:
    if rdtype in ("TXT", "SPF") and isinstance(value, tuple):
        # A record of no strings has an empty RDATA (zero octets).
        return sum(1 + len(s) for s in value if isinstance(s, bytes))
    if rdtype == "A":
        return 4
    if rdtype == "AAAA":
        return 16
    if rdtype == "MX" and isinstance(value, tuple):
        return 2 + _name_octets(str(value[1]))
    return _name_octets(str(value))


def _arithmetic_size(qname: str, rdtype: str, chain: list[tuple[str, str]],
                     records: tuple[RecordValue, ...]) -> int:
    size = 12 + _name_octets(qname) + 4
    for _owner, target in chain:
        size += 12 + _name_octets(target)
    # Every answer record's owner is a 2-octet pointer to the question (or chain) name.
    return size + sum(12 + _value_octets(rdtype, value) for value in records)


def _built_size(
    qname: str,
    rdtype: str,
    outcome: Outcome,
    chain: list[tuple[str, str]],
    final: str,
    records: tuple[RecordValue, ...],
) -> int:
    import dns.flags
    import dns.message
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset

    query = dns.message.make_query(to_dns_name(qname), rdtype, use_edns=False)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if outcome is Outcome.NXDOMAIN:
        response.set_rcode(dns.rcode.NXDOMAIN)
    for owner, target in chain:
        rrset = dns.rrset.RRset(to_dns_name(owner), dns.rdataclass.IN, dns.rdatatype.CNAME)
        rrset.add(_rdata("CNAME", target), 0)
        response.answer.append(rrset)
    adjust = 0
    if records:
        rrset = dns.rrset.RRset(
            to_dns_name(final), dns.rdataclass.IN, dns.rdatatype.from_text(rdtype)
        )
        for value in records:
            rdata = _rdata(rdtype, value)
            if value == ():
                adjust -= 1  # a record of no strings, built as one empty string
            if rdata in rrset:
                # identical records collapse in an RRset; count the duplicate anyway
                adjust += _record_size(rdata)
            else:
                rrset.add(rdata, 0)
        response.answer.append(rrset)
    return len(response.to_wire()) + adjust


def _record_size(rdata: dns.rdata.Rdata) -> int:
    # a compressed owner pointer (2), type, class, TTL, rdlength (10), then the rdata
    return 12 + len(rdata.to_wire() or b"")
