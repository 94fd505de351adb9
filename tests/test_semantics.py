"""One semantics for three engines: over random policies served by a real DNS server, the
evaluator's result for every sampled address equals the IP-space map's, and the walk's
lookup and void counts equal the evaluator's for an address that matches nothing, limits,
void lookups and MX sets that repeat names included."""

from __future__ import annotations

import asyncio
import ipaddress
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spflint.ast import Directive
from spflint.dns.live import LiveResolver
from spflint.evaluate import check_host
from spflint.ipspace import Compiler, Dynamic, IPSpace
from spflint.parser import parse_record
from spflint.semantics import (
    MAX_LOOKUPS,
    MAX_MX_RECORDS,
    MAX_VOID_LOOKUPS,
    evaluated,
    include_result,
    mx_hosts,
    redirect_result,
)
from spflint.tree import walk
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

ROOT = "sem.test"
NOTHING = ("10.255.255.254", "2001:db8:ffff:ffff::fe")  # outside every generated address
_POOL4 = [int(ipaddress.IPv4Address(a)) for a in ("192.0.2.0", "198.51.100.0", "203.0.113.0")]
_POOL6 = int(ipaddress.IPv6Address("2001:db8::"))
HOSTS = {
    "h1.sem.test": [{"A": "198.51.100.7"}, {"AAAA": "2001:db8:1::7"}],
    "h2.sem.test": [{"A": "203.0.113.77"}],
    "h3.sem.test": [{"AAAA": "2001:db8:2::3"}],
    "mx1.sem.test": [{"A": "192.0.2.200"}],
    "yes.sem.test": [{"A": "127.0.0.2"}],
}
# MX sets: ordinary, one repeating a host name (records, not names, count), and too big.
MX_SETS = {
    "mail.sem.test": [(10, "h1.sem.test"), (20, "mx1.sem.test")],
    "dup.sem.test": [(i, "mx1.sem.test") for i in range(10)] + [(10, "h2.sem.test")],
    "ten.sem.test": [(i, "h1.sem.test") for i in range(9)] + [(9, "h2.sem.test")],
}
TARGETS = ["a:h1.sem.test", "a:h2.sem.test/24", "a:h3.sem.test//64", "a:gone.sem.test",
           "a", "mx:mail.sem.test", "mx:dup.sem.test", "mx:ten.sem.test", "mx:gone.sem.test",
           "exists:yes.sem.test", "exists:gone.sem.test"]
QUALIFIERS = st.sampled_from(["", "-", "~", "?"])


@st.composite
def ip_term(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        base = draw(st.sampled_from(_POOL4))
        address = ipaddress.IPv4Address(base + draw(st.integers(0, 255)))
        return f"ip4:{address}/{draw(st.integers(24, 32))}"
    address = ipaddress.IPv6Address(_POOL6 + (draw(st.integers(0, 3)) << 96))
    return f"ip6:{address}/{draw(st.sampled_from([32, 48, 64, 128]))}"


@st.composite
def record(draw: st.DrawFn, level: int) -> str:
    later = [f"c{i}.sem.test" for i in range(level + 1, 5)] + ["none.sem.test"]
    terms = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(["ip", "ip", "target", "target", "include"]))
        if kind == "ip":
            text = draw(ip_term())
        elif kind == "target":
            text = draw(st.sampled_from(TARGETS))
        else:
            text = "include:" + draw(st.sampled_from(later))
        terms.append(draw(QUALIFIERS) + text)
    ending = draw(st.sampled_from(["-all", "~all", "?all", "redirect", "none"]))
    if ending == "redirect":
        terms.append("redirect=" + draw(st.sampled_from(later)))
    elif ending != "none":
        terms.append(ending)
    return " ".join(["v=spf1", *terms])


@st.composite
def policy(draw: st.DrawFn) -> dict[str, Any]:
    zone: dict[str, Any] = {ROOT: [{"TXT": draw(record(0))}, {"A": "192.0.2.10"}]}
    for i in range(1, 5):
        zone[f"c{i}.sem.test"] = [{"TXT": draw(record(i))}]
    zone["none.sem.test"] = [{"TXT": "not an spf record"}]
    zone.update(HOSTS)
    for name, entries in MX_SETS.items():
        zone[name] = [{"MX": [pref, host]} for pref, host in entries]
    return zone


@pytest.fixture(scope="module")
def server() -> Iterator[DNSTestServer]:
    with DNSTestServer() as running:
        yield running


def _resolver(server: DNSTestServer) -> LiveResolver:
    host, port = server.address.rsplit(":", 1)
    return LiveResolver([(host, int(port))], timeout=2.0)


def _sample(space: IPSpace, rng: random.Random) -> list[str]:
    ips = {str(ip) for ip in space.boundaries()} | set(NOTHING)
    for _ in range(6):
        ips.add(str(ipaddress.IPv4Address(rng.choice(_POOL4) + rng.randrange(512))))
        ips.add(str(ipaddress.IPv6Address(_POOL6 + (rng.randrange(4) << 96)
                                          + rng.randrange(1 << 16))))
    return sorted(ips)


async def _compare(server: DNSTestServer, seed: int, anything_matches: bool) -> None:
    resolver = _resolver(server)
    space = await Compiler(resolver).space(ROOT)
    for ip in _sample(space, random.Random(seed)):
        result = await check_host(ip, ROOT, f"x@{ROOT}", resolver=resolver)
        decision = space.result_for(ip)
        assert not isinstance(decision, Dynamic), (ip, str(decision))
        assert decision.result == result.result, (ip, str(decision), result.problem)
    if anything_matches:
        return  # an exists that matches every address: no address matches nothing
    tree = await walk(ROOT, resolver, query_type99=False)
    for ip, voids in zip(NOTHING, (tree.void_ipv4, tree.void_ipv6), strict=True):
        result = await check_host(ip, ROOT, f"x@{ROOT}", resolver=resolver)
        if result.matched is not None and not result.matched.term.endswith("all"):
            continue  # something (an exists, an MX host) matched: not the worst path
        over = tree.total_lookups > MAX_LOOKUPS or voids > MAX_VOID_LOOKUPS
        if result.result == "permerror" and over:
            continue  # both stop at a limit (the walk goes on to count past it)
        if result.result == "permerror" and "MX records" in (result.problem or ""):
            continue  # an MX set over its limit ends the evaluation before the rest
        if result.result == "permerror" and "SPF record" in (result.problem or ""):
            continue  # an include or redirect without a record ends it too
        assert (tree.total_lookups, voids) == (result.lookups, result.void_lookups), (
            ip, result.result, result.problem)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(zone=policy(), seed=st.integers(0, 2**16))
def test_evaluator_map_and_walk_agree(server: DNSTestServer, zone: dict[str, Any],
                                     seed: int) -> None:
    server.load(zonedata_from_dict(zone))
    texts = [str(v) for entries in zone.values() for e in entries if isinstance(e, dict)
             for v in e.values()]
    asyncio.run(_compare(server, seed, any("exists:yes" in t for t in texts)))


def test_the_map_counts_limits_per_address(server: DNSTestServer) -> None:
    # Nine lookups, then an address range, then two more: the range still passes; what
    # reaches the 11th lookup is a permerror, as check_host() says.
    text = ("v=spf1 " + " ".join(f"a:h{1 + i % 2}.sem.test" for i in range(9))
            + " ip4:192.0.2.0/24 include:c1.sem.test a:h2.sem.test -all")
    server.load(zonedata_from_dict({ROOT: [{"TXT": text}],
                                    "c1.sem.test": [{"TXT": "v=spf1 -all"}], **HOSTS}))

    async def run() -> None:
        resolver = _resolver(server)
        space = await Compiler(resolver).space(ROOT)
        for ip, want in (("192.0.2.1", "pass"), ("198.51.100.7", "pass"),
                         ("10.0.0.1", "permerror")):
            assert space.result_for(ip).result == want, ip
            assert (await check_host(ip, ROOT, "x@sem.test", resolver=resolver)).result == want
        assert space.lookups == 11

    asyncio.run(run())


def test_mx_sets_count_records_everywhere(server: DNSTestServer) -> None:
    # 11 MX records naming two hosts: permerror for the evaluator, the map and the walk.
    server.load(zonedata_from_dict({
        ROOT: [{"TXT": "v=spf1 mx:dup.sem.test -all"}], **HOSTS,
        "dup.sem.test": [{"MX": [p, h]} for p, h in MX_SETS["dup.sem.test"]]}))

    async def run() -> None:
        resolver = _resolver(server)
        result = await check_host("192.0.2.200", ROOT, "x@sem.test", resolver=resolver)
        space = await Compiler(resolver).space(ROOT)
        tree = await walk(ROOT, resolver)
        assert result.result == space.result_for("192.0.2.200").result == "permerror"
        [mx] = tree.root.mx_names
        assert (mx.records, mx.count, mx.too_many) == (11, 2, True)

    asyncio.run(run())


def test_semantics_tables() -> None:
    assert [include_result(r) for r in ("pass", "fail", "softfail", "neutral", "none",
                                         "permerror", "temperror")] == [
        "match", "no-match", "no-match", "no-match", "permerror", "permerror", "temperror"]
    assert redirect_result("none") == "permerror" and redirect_result("fail") == "fail"
    hosts = mx_hosts([(20, "b.example."), (10, "a.example"), (30, "b.example"), (0, ".")])
    assert (hosts.names, hosts.records, hosts.too_many) == (("a.example", "b.example"), 4,
                                                            False)
    assert mx_hosts([(i, "a.example") for i in range(MAX_MX_RECORDS + 1)]).too_many
    terms = evaluated(parse_record("v=spf1 a include:x.example -all mx redirect=y.example"))
    assert [d.render() for d in terms.directives] == ["a", "include:x.example", "-all"]
    assert terms.redirect is None and terms.lookups == 2
    assert [t.render() for t in terms.ignored] == ["mx", "redirect=y.example"]
    assert all(isinstance(d, Directive) for d in terms.directives)
    plain = evaluated(parse_record("v=spf1 mx redirect=y.example"))
    assert plain.redirect is not None and plain.lookups == 2
