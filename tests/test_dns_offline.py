"""Tests for the offline resolver, the layered resolver and the CLI resolver factory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from spflint.dns import zonedata
from spflint.dns.base import Answer, NameData, Outcome, ZoneData
from spflint.dns.layered import (
    NO_DATA_SOURCE,
    LayeredResolver,
    build_resolver,
    nameservers_from,
)
from spflint.dns.live import LiveResolver
from spflint.dns.offline import OfflineResolver
from spflint.errors import InputError

ZONES = Path(__file__).resolve().parent.parent / "fixtures" / "zones"

DATA = """
example.com:
  - TXT: v=spf1 mx -all
  - TXT: other
  - MX: [10, mx1.example.com]
mx1.example.com:
  - A: 192.0.2.10
  - AAAA: 2001:db8::10
deep.a.b.example.com:
  - A: 192.0.2.11
www.example.com:
  - CNAME: Example.com.
chain1.example.com: [{CNAME: chain2.example.com}]
chain2.example.com: [{CNAME: www.example.com}]
dangling.example.com: [{CNAME: gone.example.com}]
outside.example.com: [{CNAME: target.example.org}]
loop1.example.com: [{CNAME: loop2.example.com}]
loop2.example.com: [{CNAME: loop1.example.com}]
slow.example.com:
  - TXT: v=spf1 -all
  - TIMEOUT
slowalias.example.com: [{CNAME: slow.example.com}]
broken.example.com: [SERVFAIL]
ptr.example.com: [{PTR: mx1.example.com}]
"""


def ask(resolver: OfflineResolver | LayeredResolver, name: str, rdtype: str) -> Answer:
    return asyncio.run(resolver.query(name, rdtype))


@pytest.fixture
def offline() -> OfflineResolver:
    return OfflineResolver(zonedata.load_yaml(DATA))


def test_ok_answers_of_each_type(offline: OfflineResolver) -> None:
    txt = ask(offline, "Example.COM.", "txt")
    assert txt.outcome is Outcome.OK
    assert txt.name == "example.com"
    assert txt.rdtype == "TXT"
    assert txt.records == ((b"v=spf1 mx -all",), (b"other",))
    assert txt.txt_records() == [(b"v=spf1 mx -all",), (b"other",)]
    assert txt.source == "zonedata <text>"
    assert ask(offline, "example.com", "MX").records == ((10, "mx1.example.com"),)
    assert ask(offline, "mx1.example.com", "A").records == ("192.0.2.10",)
    assert ask(offline, "mx1.example.com", "AAAA").records == ("2001:db8::10",)
    assert ask(offline, "ptr.example.com", "PTR").records == ("mx1.example.com",)
    assert ask(offline, "www.example.com", "CNAME").records == ("example.com",)


def test_nodata_nxdomain_and_empty_non_terminals() -> None:
    data = zonedata.load_yaml(DATA)
    data.apexes.add("example.com")
    resolver = OfflineResolver(data)
    assert ask(resolver, "example.com", "AAAA").outcome is Outcome.NODATA
    assert ask(resolver, "mx1.example.com", "TXT").outcome is Outcome.NODATA
    # a.b.example.com and b.example.com exist only as parents of deep.a.b.example.com
    assert ask(resolver, "a.b.example.com", "TXT").outcome is Outcome.NODATA
    assert ask(resolver, "b.example.com", "A").outcome is Outcome.NODATA
    assert ask(resolver, "nothere.example.com", "TXT").outcome is Outcome.NXDOMAIN
    assert ask(resolver, "x.deep.a.b.example.com", "A").outcome is Outcome.NXDOMAIN


def test_covers(offline: OfflineResolver) -> None:
    assert offline.covers("example.com")
    assert offline.covers("MX1.example.com.")
    assert offline.covers("b.example.com")  # empty non-terminal
    assert offline.covers("com")  # parents of listed names exist
    assert not offline.covers("nothere.example.com")
    assert not offline.covers("example.org")
    assert not offline.covers("a..b")
    bind = OfflineResolver(zonedata.load(ZONES / "example.org.zone"))
    assert bind.covers("example.org")
    assert bind.covers("anything.below.example.org")
    assert not bind.covers("example.net")


class _NoScanSet(set[str]):
    """A set of apexes that counts being iterated: a lookup must never scan them all."""

    scans = 0

    def __iter__(self) -> Iterator[str]:
        type(self).scans += 1
        return super().__iter__()


def test_apexes_are_looked_up_not_scanned() -> None:
    apexes = _NoScanSet(f"zone{i}.example" for i in range(2000))
    resolver = OfflineResolver(ZoneData(apexes=apexes))
    _NoScanSet.scans = 0
    assert resolver.covers("zone7.example")
    assert resolver.covers("a.b.Zone1999.example.")
    assert not resolver.covers("xzone7.example")  # a suffix only at a label boundary
    assert not resolver.covers("zone7.example.org")
    assert not resolver.covers("example")
    assert ask(resolver, "mail.zone3.example", "TXT").outcome is Outcome.NXDOMAIN
    assert _NoScanSet.scans == 0
    assert not OfflineResolver(ZoneData()).covers("zone7.example")


def test_not_covered_depends_on_authoritative_all(offline: OfflineResolver) -> None:
    # Data that does not speak for a name knows nothing about it: unknown, not NXDOMAIN.
    answer = ask(offline, "example.org", "TXT")
    assert answer.outcome is Outcome.UNKNOWN
    assert not answer.outcome.is_void and not answer.outcome.is_failure
    assert answer.detail == "name not covered by the zone data"
    strict = OfflineResolver(zonedata.load_yaml(DATA), authoritative_all=True)
    answer = ask(strict, "example.org", "TXT")
    assert answer.outcome is Outcome.NXDOMAIN
    assert answer.detail == ""


def test_cname_chains(offline: OfflineResolver) -> None:
    answer = ask(offline, "chain1.example.com", "TXT")
    assert answer.outcome is Outcome.OK
    assert answer.name == "chain1.example.com"
    assert answer.records == ((b"v=spf1 mx -all",), (b"other",))
    nodata = ask(offline, "www.example.com", "AAAA")
    assert nodata.outcome is Outcome.NODATA
    assert nodata.detail == "CNAME chain ends at example.com"
    strict = OfflineResolver(zonedata.load_yaml(DATA), authoritative_all=True)
    assert ask(strict, "dangling.example.com", "A").outcome is Outcome.NXDOMAIN
    loop = ask(offline, "loop1.example.com", "A")
    assert loop.outcome is Outcome.SERVFAIL
    assert "loops" in loop.detail


def test_cname_chain_cap() -> None:
    entries = {f"c{i}.example": f"c{i + 1}.example" for i in range(20)}
    text = "\n".join(f"{k}: [{{CNAME: {v}}}]" for k, v in entries.items())
    text += "\nc20.example: [{A: 192.0.2.1}]\n"
    resolver = OfflineResolver(zonedata.load_yaml(text))
    assert ask(resolver, "c4.example", "A").outcome is Outcome.OK  # 16 links
    assert ask(resolver, "c3.example", "A").outcome is Outcome.SERVFAIL  # 17 links


def test_timeout_is_immediate_and_per_type(offline: OfflineResolver) -> None:
    answer = ask(offline, "slow.example.com", "A")
    assert answer.outcome is Outcome.TIMEOUT
    assert "TIMEOUT" in answer.detail
    # openspf semantics: types the name lists still answer
    assert ask(offline, "slow.example.com", "TXT").outcome is Outcome.OK
    assert ask(offline, "slowalias.example.com", "MX").outcome is Outcome.TIMEOUT
    assert offline.log[-1].outcome is Outcome.TIMEOUT
    assert offline.log[-1].elapsed < 0.5


def test_servfail(offline: OfflineResolver) -> None:
    answer = ask(offline, "broken.example.com", "TXT")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.outcome.is_failure


def test_invalid_name_is_error_and_bad_type_raises(offline: OfflineResolver) -> None:
    answer = ask(offline, "a" * 64 + ".example.com", "TXT")
    assert answer.outcome is Outcome.ERROR
    assert "at most 63" in answer.detail
    with pytest.raises(ValueError, match="unsupported record type"):
        ask(offline, "example.com", "HINFO")


def test_log_records_every_question(offline: OfflineResolver) -> None:
    ask(offline, "example.com", "TXT")
    ask(offline, "nothere.example.com", "A")
    assert [(r.name, r.rdtype, r.outcome) for r in offline.log] == [
        ("example.com", "TXT", Outcome.OK),
        ("nothere.example.com", "A", Outcome.UNKNOWN),
    ]
    assert all(r.source == "zonedata <text>" for r in offline.log)


def _real_size(name: str, rdtype: str, records: list[str]) -> int:
    query = dns.message.make_query(name + ".", rdtype, use_edns=False)
    response = dns.message.make_response(query)
    rrset = response.find_rrset(
        response.answer,
        query.question[0].name,
        dns.rdataclass.IN,
        dns.rdatatype.from_text(rdtype),
        create=True,
    )
    for text in records:
        rrset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text), 0)
    return len(response.to_wire())


def test_response_size() -> None:
    long_strings = ["a" * 255, "b" * 255, "c" * 100]
    text = f"big.example: [{{TXT: {long_strings}}}]\nsmall.example: [{{TXT: x}}, {{TXT: x}}]\n"
    resolver = OfflineResolver(zonedata.load_yaml(text))
    big = ask(resolver, "big.example", "TXT")
    expected = _real_size("big.example", "TXT", [" ".join(f'"{s}"' for s in long_strings)])
    assert big.size == expected
    assert big.size > 512
    small = ask(resolver, "small.example", "TXT")
    # two identical records: both counted although an RRset would merge them
    one = _real_size("small.example", "TXT", ['"x"'])
    assert small.size == one + 2 + 10 + 2
    empty = OfflineResolver(zonedata.load_yaml("e.example: [{TXT: []}]"))
    assert ask(empty, "e.example", "TXT").size == _real_size("e.example", "TXT", ['""']) - 1
    nx = ask(OfflineResolver(zonedata.load_yaml(text), authoritative_all=True), "no.example", "A")
    assert nx.size == len(dns.message.make_query("no.example.", "A", use_edns=False).to_wire())


# --------------------------------------------------------------------------- layered


def test_layered_order_and_fallback_to_no_data() -> None:
    first = OfflineResolver(zonedata.load_yaml("example.com: [{TXT: first}]"))
    second = OfflineResolver(
        zonedata.load_yaml("example.com: [{TXT: second}]\nother.example: [{TXT: other}]")
    )
    layered = LayeredResolver([first, second, None])
    assert ask(layered, "example.com", "TXT").records == ((b"first",),)
    # the first layer covers example.com, so its NODATA stands
    assert ask(layered, "example.com", "A").outcome is Outcome.NODATA
    assert ask(layered, "other.example", "TXT").records == ((b"other",),)
    missing = ask(layered, "missing.example", "TXT")
    assert missing.outcome is Outcome.UNKNOWN  # offline and nobody speaks for it
    assert missing.source == NO_DATA_SOURCE
    assert [(r.name, r.outcome, r.source) for r in layered.log] == [
        ("example.com", Outcome.OK, "zonedata <text>"),
        ("example.com", Outcome.NODATA, "zonedata <text>"),
        ("other.example", Outcome.OK, "zonedata <text>"),
        ("missing.example", Outcome.UNKNOWN, NO_DATA_SOURCE),
    ]
    assert layered.sent == 0


def test_layered_follows_cname_into_next_layer() -> None:
    first = OfflineResolver(zonedata.load_yaml("alias.example: [{CNAME: real.example}]"))
    second = OfflineResolver(zonedata.load_yaml("real.example: [{TXT: v=spf1 -all}]"))
    layered = LayeredResolver([first, second, None])
    answer = ask(layered, "alias.example", "TXT")
    assert answer.outcome is Outcome.OK
    assert answer.name == "alias.example"
    assert answer.records == ((b"v=spf1 -all",),)


def test_layered_rejects_live_in_the_middle() -> None:
    with pytest.raises(TypeError):
        LayeredResolver([LiveResolver([("127.0.0.1", 53)]), None])


def test_build_resolver_offline() -> None:
    resolver = build_resolver(
        dns_data_files=[ZONES / "example.yml", ZONES / "example.org.zone"], offline=True
    )
    assert isinstance(resolver, LayeredResolver)
    assert resolver.live is None
    assert ask(resolver, "example.com", "MX").outcome is Outcome.OK
    assert ask(resolver, "mail.example.org", "A").records == ("198.51.100.25",)
    assert ask(resolver, "nope.example.org", "A").outcome is Outcome.NXDOMAIN
    assert ask(resolver, "example.net", "A").source == NO_DATA_SOURCE


def test_build_resolver_live_settings() -> None:
    resolver = build_resolver(["127.0.0.1:5353", "[::1]"], timeout=0.5, deadline=123.0)
    assert isinstance(resolver, LayeredResolver)
    assert resolver.live is not None
    assert resolver.live.nameservers == [("127.0.0.1", 5353), ("::1", 53)]
    assert resolver.live.timeout == 0.5
    assert resolver.live.deadline == 123.0
    env = build_resolver(environ={"SPFLINT_NAMESERVER": "127.0.0.2:53, 127.0.0.3"})
    assert isinstance(env, LayeredResolver) and env.live is not None
    assert env.live.nameservers == [("127.0.0.2", 53), ("127.0.0.3", 53)]


def test_nameservers_from() -> None:
    env = {"SPFLINT_NAMESERVER": "127.0.0.9"}
    assert nameservers_from(["127.0.0.1"], env) == [("127.0.0.1", 53)]
    assert nameservers_from([], env) == [("127.0.0.9", 53)]
    assert nameservers_from([], {}) == []
    with pytest.raises(InputError, match=r"^SPFLINT_NAMESERVER: invalid nameserver"):
        nameservers_from([], {"SPFLINT_NAMESERVER": "ns.example"})


def test_build_resolver_bad_data_file() -> None:
    with pytest.raises(InputError):
        build_resolver(dns_data_files=["no/such.yml"], offline=True)


def _zone(apexes: set[str], cuts: set[str], names: dict[str, list[tuple[str, object]]]
          ) -> OfflineResolver:
    data = ZoneData(apexes=apexes, delegations=cuts, source="repo")
    for name, records in names.items():
        data.names[name] = NameData(records=list(records))  # type: ignore[arg-type]
    return OfflineResolver(data)


def test_zone_cut_makes_names_below_it_unknown() -> None:
    resolver = _zone({"example.com"}, {"sub.example.com"}, {
        "example.com": [("TXT", (b"v=spf1 -all",))],
        "sub.example.com": [("NS", "ns1.sub.example.com")],
        "ns1.sub.example.com": [("A", "192.0.2.53")],  # glue: not authoritative data
    })
    # Inside the parent zone: answered; a missing name there does not exist.
    assert ask(resolver, "example.com", "TXT").outcome is Outcome.OK
    assert ask(resolver, "nope.example.com", "TXT").outcome is Outcome.NXDOMAIN
    # At and below the cut the parent zone does not speak: unknown, never NXDOMAIN.
    for name in ("sub.example.com", "_spf.sub.example.com", "ns1.sub.example.com"):
        answer = ask(resolver, name, "TXT")
        assert answer.outcome is Outcome.UNKNOWN, name
        assert "zone cut" in answer.detail
        assert not resolver.covers(name)
    assert resolver.covers("nope.example.com")


def test_child_zone_in_the_data_answers_below_the_cut() -> None:
    resolver = _zone({"example.com", "sub.example.com"}, {"sub.example.com"}, {
        "example.com": [("TXT", (b"v=spf1 include:_spf.sub.example.com -all",))],
        "sub.example.com": [("NS", "ns1.example.net")],
        "_spf.sub.example.com": [("TXT", (b"v=spf1 ip4:192.0.2.0/24 -all",))],
    })
    assert ask(resolver, "_spf.sub.example.com", "TXT").outcome is Outcome.OK
    assert ask(resolver, "gone.sub.example.com", "TXT").outcome is Outcome.NXDOMAIN
    # A cut further down, inside the child zone, is a cut again.
    deeper = _zone({"example.com", "sub.example.com"}, {"sub.example.com", "x.sub.example.com"},
                   {})
    assert ask(deeper, "a.x.sub.example.com", "A").outcome is Outcome.UNKNOWN


def test_alias_answers_addresses_from_its_target() -> None:
    resolver = _zone({"example.com"}, set(), {
        "example.com": [("ALIAS", "web.example.com"), ("TXT", (b"v=spf1 a -all",))],
        "web.example.com": [("A", "192.0.2.10"), ("AAAA", "2001:db8::10")],
        "www.example.com": [("ALIAS", "lb.provider.example")],
    })
    a = ask(resolver, "example.com", "A")
    assert (a.outcome, a.records, a.name) == (Outcome.OK, ("192.0.2.10",), "example.com")
    assert ask(resolver, "example.com", "AAAA").records == ("2001:db8::10",)
    # Only addresses follow an alias; other types at the owner are its own.
    assert ask(resolver, "example.com", "TXT").records == ((b"v=spf1 a -all",),)
    assert ask(resolver, "example.com", "MX").outcome is Outcome.NODATA
    # A target outside the data is unknown (a layered resolver asks the next source).
    assert resolver.walk("www.example.com", "A") == (None, "lb.provider.example")
    assert ask(resolver, "www.example.com", "A").outcome is Outcome.UNKNOWN
