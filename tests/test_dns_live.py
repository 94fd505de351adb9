"""Tests for the live resolver against the real local DNS test server (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from spflint.dns import wire, zonedata
from spflint.dns.base import Answer, Outcome
from spflint.dns.layered import LayeredResolver, build_resolver
from spflint.dns.live import LiveResolver
from spflint.dns.offline import OfflineResolver
from tests.dnsserver import DNSTestServer

Make = Callable[..., DNSTestServer]

ZONE: dict[str, Any] = {
    "example.com": [
        {"TXT": "v=spf1 mx -all"},
        {"A": "192.0.2.1"},
        {"AAAA": "2001:db8::1"},
        {"MX": [10, "mail.example.com"]},
        {"SPF": "v=spf1 -all"},
        {"NS": "ns1.example.com"},
    ],
    "split.example.com": [{"TXT": ["v=spf1 ", "ip4:192.0.2.0/24 ", "-all"]}],
    "mail.example.com": [{"A": "192.0.2.25"}],
    "1.2.0.192.in-addr.arpa": [{"PTR": "mail.example.com"}],
    "alias.example.com": [{"CNAME": "hop.example.com"}],
    "hop.example.com": [{"CNAME": "example.com"}],
    "dangling.example.com": [{"CNAME": "missing.example.com"}],
    "loop1.example.com": [{"CNAME": "loop2.example.com"}],
    "loop2.example.com": [{"CNAME": "loop1.example.com"}],
    "slow.example.com": ["TIMEOUT"],
    "broken.example.com": ["SERVFAIL"],
    "big.example.com": [{"TXT": f"v=spf1 ip4:192.0.2.{i} " + "x" * 60} for i in range(10)],
    **{f"n{i}.example.com": [{"A": f"192.0.2.{100 + i}"}] for i in range(10)},
}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def resolver_for(*servers: DNSTestServer, **kwargs: Any) -> LiveResolver:
    return LiveResolver([(s.host, s.port) for s in servers], **kwargs)


def ask(resolver: LiveResolver | LayeredResolver, name: str, rdtype: str) -> Answer:
    return asyncio.run(resolver.query(name, rdtype))


def test_answers_of_each_type(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, ttls={"example.com": 120})
    resolver = resolver_for(server)
    txt = ask(resolver, "Example.com.", "TXT")
    assert txt.outcome is Outcome.OK
    assert txt.name == "example.com"
    assert txt.records == ((b"v=spf1 mx -all",),)
    assert txt.ttl == 120
    assert txt.source == f"dns {server.address}"
    assert txt.size is not None and txt.size > 12
    assert not txt.tcp
    split = ask(resolver, "split.example.com", "TXT")
    assert split.records == ((b"v=spf1 ", b"ip4:192.0.2.0/24 ", b"-all"),)
    assert ask(resolver, "example.com", "SPF").records == ((b"v=spf1 -all",),)
    assert ask(resolver, "example.com", "A").records == ("192.0.2.1",)
    assert ask(resolver, "example.com", "AAAA").records == ("2001:db8::1",)
    assert ask(resolver, "example.com", "MX").records == ((10, "mail.example.com"),)
    assert ask(resolver, "example.com", "NS").records == ("ns1.example.com",)
    assert ask(resolver, "1.2.0.192.in-addr.arpa", "PTR").records == ("mail.example.com",)
    assert ask(resolver, "hop.example.com", "CNAME").records == ("example.com",)
    assert resolver.sent == 9
    assert [(q.name, q.rdtype) for q in resolver.log][:2] == [
        ("example.com", "TXT"),
        ("split.example.com", "TXT"),
    ]
    assert all(q.source == f"dns {server.address}" for q in resolver.log)


def test_negative_answers_and_cname_chains(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, ttls={"example.com": 42, "hop.example.com": 30})
    resolver = resolver_for(server)
    nx = ask(resolver, "nothere.example.com", "TXT")
    assert nx.outcome is Outcome.NXDOMAIN
    assert nx.ttl == 42  # the SOA minimum
    nodata = ask(resolver, "mail.example.com", "TXT")
    assert nodata.outcome is Outcome.NODATA
    chained = ask(resolver, "alias.example.com", "A")
    assert chained.outcome is Outcome.OK
    assert chained.name == "alias.example.com"
    assert chained.records == ("192.0.2.1",)
    assert chained.ttl == 30  # the smallest TTL along the chain
    ends = ask(resolver, "alias.example.com", "PTR")
    assert ends.outcome is Outcome.NODATA
    assert ends.detail == "CNAME chain ends at example.com"
    assert ask(resolver, "dangling.example.com", "A").outcome is Outcome.NXDOMAIN
    loop = ask(resolver, "loop1.example.com", "A")
    assert loop.outcome is Outcome.ERROR
    assert "CNAME loop" in loop.detail


def test_truncated_answer_is_retried_over_tcp(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, edns=False, udp_limit=512)
    resolver = resolver_for(server)
    answer = ask(resolver, "big.example.com", "TXT")
    assert answer.outcome is Outcome.OK
    assert answer.tcp
    assert len(answer.records) == 10
    assert answer.size is not None and answer.size > 512
    assert [q.transport for q in server.queries] == ["udp", "tcp"]
    assert resolver.sent == 1  # one question; TCP after truncation belongs to it
    small = ask(resolver, "example.com", "TXT")
    assert not small.tcp


def test_truncate_always_still_answers_over_tcp(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    server.set_behaviour("example.com", "truncate-always")
    answer = ask(resolver_for(server), "example.com", "A")
    assert answer.outcome is Outcome.OK
    assert answer.tcp
    assert answer.records == ("192.0.2.1",)


def test_timeout_within_the_query_timeout(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server, timeout=0.2, retries=0)
    answer = ask(resolver, "slow.example.com", "TXT")
    assert answer.outcome is Outcome.TIMEOUT
    assert "0.2 s" in answer.detail
    assert server.count("slow.example.com", "TXT") == 1
    assert resolver.log[0].outcome is Outcome.TIMEOUT
    assert 0.15 <= resolver.log[0].elapsed < 1.5


def test_timeout_retried_on_the_next_nameserver(make_dns_server: Make) -> None:
    first = make_dns_server(ZONE)
    second = make_dns_server(ZONE)
    first.set_behaviour("example.com", "timeout")
    resolver = resolver_for(first, second, timeout=0.2)
    answer = ask(resolver, "example.com", "TXT")
    assert answer.outcome is Outcome.OK
    assert answer.source == f"dns {second.address}"
    assert [q.outcome for q in resolver.log] == [Outcome.TIMEOUT, Outcome.OK]
    assert (first.count(), second.count()) == (1, 1)


def test_servfail_retried_then_servfail(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server)
    answer = ask(resolver, "broken.example.com", "TXT")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.detail == "server said SERVFAIL"
    assert server.count("broken.example.com", "TXT") == 2
    assert resolver.sent == 2
    no_retry = resolver_for(server, retries=0)
    ask(no_retry, "broken.example.com", "A")
    assert server.count("broken.example.com", "A") == 1


def test_refused_is_servfail(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    server.set_behaviour("example.com", "refused")
    answer = ask(resolver_for(server, retries=0), "example.com", "TXT")
    assert answer.outcome is Outcome.SERVFAIL
    assert answer.detail == "server said REFUSED"


def test_garbage_is_error_and_not_retried(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    server.set_behaviour("example.com", "garbage")
    resolver = resolver_for(server)
    answer = ask(resolver, "example.com", "TXT")
    assert answer.outcome is Outcome.ERROR
    assert answer.detail.startswith("malformed answer")
    assert server.count("example.com", "TXT") == 1


def test_unreachable_server_is_error_then_next_server(make_dns_server: Make) -> None:
    good = make_dns_server(ZONE)
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    resolver = LiveResolver([("127.0.0.1", dead_port), (good.host, good.port)], timeout=0.3)
    answer = ask(resolver, "example.com", "A")
    assert answer.outcome is Outcome.OK
    assert answer.source == f"dns {good.address}"
    assert resolver.log[0].outcome in (Outcome.ERROR, Outcome.TIMEOUT)


def test_cache_answers_second_question(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server)

    async def twice() -> tuple[Answer, Answer]:
        return await resolver.query("example.com", "TXT"), await resolver.query(
            "EXAMPLE.com.", "txt"
        )

    first, second = asyncio.run(twice())
    assert first.records == second.records
    assert second.source == first.source == f"dns {server.address}"
    assert server.count("example.com", "TXT") == 1
    assert (resolver.sent, resolver.cache_hits) == (1, 1)
    assert len(resolver.log) == 1
    # the cache outlives one event loop: later checks of the same run reuse it
    ask(resolver, "example.com", "TXT")
    assert server.count("example.com", "TXT") == 1
    # negative answers and failures are cached as well
    ask(resolver, "nothere.example.com", "A")
    ask(resolver, "nothere.example.com", "A")
    assert server.count("nothere.example.com", "A") == 1
    ask(resolver, "broken.example.com", "A")
    ask(resolver, "broken.example.com", "A")
    assert server.count("broken.example.com", "A") == 2  # one query and its retry


def test_ttl_expiry(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, ttls={"example.com": 5})
    clock = FakeClock()
    resolver = resolver_for(server, clock=clock)
    assert ask(resolver, "example.com", "A").ttl == 5
    clock.now += 3
    cached = ask(resolver, "example.com", "A")
    assert cached.ttl == 2
    assert server.count("example.com", "A") == 1
    clock.now += 2
    fresh = ask(resolver, "example.com", "A")
    assert fresh.ttl == 5
    assert server.count("example.com", "A") == 2
    # negative answers expire with the SOA minimum
    ask(resolver, "gone.example.com", "A")
    clock.now += 4
    ask(resolver, "gone.example.com", "A")
    assert server.count("gone.example.com", "A") == 1
    clock.now += 1
    ask(resolver, "gone.example.com", "A")
    assert server.count("gone.example.com", "A") == 2


def test_zero_ttl_is_not_cached(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, ttls={"mail.example.com": 0})
    resolver = resolver_for(server)
    ask(resolver, "mail.example.com", "A")
    ask(resolver, "mail.example.com", "A")
    assert server.count("mail.example.com", "A") == 2


def test_in_flight_questions_share_one_query(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, latency=0.05)
    resolver = resolver_for(server)

    async def many() -> list[Answer]:
        return await asyncio.gather(*(resolver.query("example.com", "MX") for _ in range(10)))

    answers = asyncio.run(many())
    assert {a.records for a in answers} == {((10, "mail.example.com"),)}
    assert server.count("example.com", "MX") == 1
    assert resolver.sent == 1
    assert resolver.shared == 9


def test_cancelled_caller_does_not_cancel_shared_query(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, latency=0.1)
    resolver = resolver_for(server)

    async def scenario() -> Answer:
        impatient = asyncio.ensure_future(resolver.query("example.com", "A"))
        patient = asyncio.ensure_future(resolver.query("example.com", "A"))
        await asyncio.sleep(0.02)
        impatient.cancel()
        return await patient

    assert asyncio.run(scenario()).records == ("192.0.2.1",)
    assert server.count("example.com", "A") == 1


def test_different_questions_run_concurrently(make_dns_server: Make) -> None:
    latency = 0.1
    server = make_dns_server(ZONE, latency=latency)
    resolver = resolver_for(server)

    async def many() -> list[Answer]:
        return await asyncio.gather(*(resolver.query(f"n{i}.example.com", "A") for i in range(10)))

    started = time.monotonic()
    answers = asyncio.run(many())
    elapsed = time.monotonic() - started
    assert [a.records for a in answers] == [(f"192.0.2.{100 + i}",) for i in range(10)]
    assert server.count(rdtype="A") == 10
    assert elapsed < 5 * latency  # serial asking would take 10 x latency


def test_max_queries_cap(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server, max_queries=3)
    outcomes = [ask(resolver, f"n{i}.example.com", "A").outcome for i in range(5)]
    assert outcomes == [Outcome.OK] * 3 + [Outcome.LIMIT] * 2
    assert server.count() == 3
    limited = ask(resolver, "n9.example.com", "A")
    assert limited.detail == "the cap of 3 DNS queries is reached"
    # cached answers are still given
    assert ask(resolver, "n0.example.com", "A").outcome is Outcome.OK
    # retries count against the cap
    retrying = resolver_for(server, max_queries=1)
    assert ask(retrying, "broken.example.com", "TXT").outcome is Outcome.LIMIT
    assert server.count("broken.example.com", "TXT") == 1


def test_deadline(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    clock = FakeClock()
    resolver = resolver_for(server, clock=clock, deadline=clock.now + 10)
    assert ask(resolver, "example.com", "A").outcome is Outcome.OK
    clock.now += 10
    late = ask(resolver, "example.com", "TXT")
    assert late.outcome is Outcome.LIMIT
    assert late.detail == "the time allowed for this check is used up"
    assert ask(resolver, "example.com", "A").outcome is Outcome.LIMIT
    assert server.count() == 1


def test_deadline_cuts_a_slow_query_short(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server, timeout=5.0, deadline=time.monotonic() + 0.2)
    started = time.monotonic()
    answer = ask(resolver, "slow.example.com", "A")
    assert answer.outcome is Outcome.LIMIT
    assert time.monotonic() - started < 2.0
    assert server.count("slow.example.com", "A") == 1


def test_no_nameserver_and_invalid_name(make_dns_server: Make) -> None:
    resolver = LiveResolver([])
    resolver.nameservers = []  # whatever the system has, test the empty case
    answer = ask(resolver, "example.com", "A")
    assert answer.outcome is Outcome.ERROR
    assert "no nameserver" in answer.detail
    server = make_dns_server(ZONE)
    bad = ask(resolver_for(server), "a..example.com", "A")
    assert bad.outcome is Outcome.ERROR
    assert "empty label" in bad.detail
    assert server.count() == 0


def test_server_without_edns(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, edns=False)
    answer = ask(resolver_for(server), "example.com", "TXT")
    assert answer.outcome is Outcome.OK


def test_cname_left_unresolved_by_the_server_is_followed(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    resolver = resolver_for(server)
    query = dns.message.make_query("elsewhere.example.org.", "A")
    response = dns.message.make_response(query)
    rrset = dns.rrset.from_text("elsewhere.example.org.", 60, "IN", "CNAME", "mail.example.com.")
    response.answer.append(rrset)
    parsed = wire.parse(response.to_wire())
    exchange = resolver._interpret("elsewhere.example.org", "A", parsed, "dns test", False)
    assert exchange.follow == "mail.example.com"

    async def follow() -> Answer:
        return await resolver._follow(exchange.answer, "mail.example.com", 0)

    answer = asyncio.run(follow())
    assert answer.outcome is Outcome.OK
    assert answer.name == "elsewhere.example.org"
    assert answer.records == ("192.0.2.25",)
    assert answer.ttl == 60
    assert server.count("mail.example.com", "A") == 1


def test_layered_offline_first_then_live(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE)
    offline = OfflineResolver(zonedata.load_yaml("example.com: [{TXT: from the repository}]"))
    layered = LayeredResolver([offline, resolver_for(server)])
    assert ask(layered, "example.com", "TXT").records == ((b"from the repository",),)
    assert ask(layered, "example.com", "A").outcome is Outcome.NODATA
    live = ask(layered, "mail.example.com", "A")
    assert live.records == ("192.0.2.25",)
    assert live.source == f"dns {server.address}"
    assert server.count() == 1
    assert [(r.name, r.rdtype, r.source) for r in layered.log] == [
        ("example.com", "TXT", "zonedata <text>"),
        ("example.com", "A", "zonedata <text>"),
        ("mail.example.com", "A", f"dns {server.address}"),
    ]
    assert layered.sent == 1


def test_build_resolver_uses_environment(
    make_dns_server: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_dns_server(ZONE)
    monkeypatch.setenv("SPFLINT_NAMESERVER", server.address)
    resolver = build_resolver()
    answer = asyncio.run(resolver.query("example.com", "MX"))
    assert answer.records == ((10, "mail.example.com"),)
    assert answer.source == f"dns {server.address}"


def test_response_flags_on_the_wire(make_dns_server: Make) -> None:
    """The resolver asks with RD and EDNS (payload 1232), as recursive servers expect."""
    seen: list[dns.message.Message] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    port = sock.getsockname()[1]

    async def scenario() -> Answer:
        task = asyncio.ensure_future(
            LiveResolver([("127.0.0.1", port)], timeout=2, retries=0).query("example.com", "A")
        )
        loop = asyncio.get_running_loop()
        data, peer = await loop.run_in_executor(None, sock.recvfrom, 4096)
        query = dns.message.from_wire(data)
        seen.append(query)
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text("example.com.", 60, "IN", "A", "192.0.2.7"))
        await loop.run_in_executor(None, sock.sendto, response.to_wire(), peer)
        return await task

    try:
        answer = asyncio.run(scenario())
    finally:
        sock.close()
    assert answer.records == ("192.0.2.7",)
    assert seen[0].flags & dns.flags.RD
    assert seen[0].edns == 0
    assert seen[0].payload == 1232
    assert seen[0].question[0].rdclass == dns.rdataclass.IN
    assert seen[0].question[0].rdtype == dns.rdatatype.A
