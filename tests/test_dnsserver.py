"""Tests for the local DNS test server, using dnspython's own clients against it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest

from spflint.dns.base import NameData, ZoneData
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer, SeenQuery

Make = Callable[..., DNSTestServer]

ZONE: dict[str, Any] = {
    "example.com": [
        {"TXT": "v=spf1 mx -all"},
        {"TXT": ["v=spf1 ", "include:a.example.com ", "-all"]},
        {"A": "192.0.2.1"},
        {"AAAA": "2001:db8::1"},
        {"MX": [10, "mail.example.com"]},
        {"MX": [20, "mx2.example.com"]},
        {"SPF": "v=spf1 -all"},
        {"NS": "ns1.example.com"},
    ],
    "mail.example.com": [{"A": "192.0.2.25"}],
    "deep.ent.example.com": [{"A": "192.0.2.9"}],
    "1.2.0.192.in-addr.arpa": [{"PTR": "example.com"}],
    "alias.example.com": [{"CNAME": "hop.example.com"}],
    "hop.example.com": [{"CNAME": "example.com"}],
    "dangling.example.com": [{"CNAME": "missing.example.com"}],
    "loop1.example.com": [{"CNAME": "loop2.example.com"}],
    "loop2.example.com": [{"CNAME": "loop1.example.com"}],
    "slow.example.com": ["TIMEOUT"],
    "broken.example.com": ["SERVFAIL"],
    "big.example.com": [{"TXT": f"v=spf1 ip4:192.0.2.{i} " + "x" * 60} for i in range(10)],
}


def ask(
    server: DNSTestServer,
    name: str,
    rdtype: str,
    *,
    tcp: bool = False,
    edns: int | bool = False,
    payload: int = 1232,
    timeout: float = 1.0,
) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, use_edns=edns, payload=payload)
    send = dns.query.tcp if tcp else dns.query.udp
    response = send(query, server.host, port=server.port, timeout=timeout)
    assert response.id == query.id
    assert response.question == query.question
    return response


def texts(response: dns.message.Message, rdtype: str) -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return sorted(
        rd.to_text() for rrset in response.answer if rrset.rdtype == wanted for rd in rrset
    )


@pytest.fixture
def server(make_dns_server: Make) -> DNSTestServer:
    return make_dns_server(ZONE)


def test_address_and_a_record(server: DNSTestServer) -> None:
    assert server.address == f"127.0.0.1:{server.port}"
    response = ask(server, "example.com", "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert texts(response, "A") == ["192.0.2.1"]
    assert response.answer[0].ttl == 300


def test_txt_keeps_character_strings(server: DNSTestServer) -> None:
    response = ask(server, "example.com", "TXT")
    strings = sorted(rd.strings for rd in response.answer[0])
    assert strings == [(b"v=spf1 ", b"include:a.example.com ", b"-all"), (b"v=spf1 mx -all",)]


def test_question_matching_is_case_insensitive(server: DNSTestServer) -> None:
    response = ask(server, "ExAmPlE.CoM", "A")
    assert texts(response, "A") == ["192.0.2.1"]
    assert server.queries == [SeenQuery("example.com", "A", "udp")]


def test_other_types(server: DNSTestServer) -> None:
    assert texts(ask(server, "example.com", "AAAA"), "AAAA") == ["2001:db8::1"]
    mx = texts(ask(server, "example.com", "MX"), "MX")
    assert mx == ["10 mail.example.com.", "20 mx2.example.com."]
    assert texts(ask(server, "example.com", "NS"), "NS") == ["ns1.example.com."]
    assert texts(ask(server, "1.2.0.192.in-addr.arpa", "PTR"), "PTR") == ["example.com."]


def test_spf_type_99(server: DNSTestServer) -> None:
    response = ask(server, "example.com", "SPF")
    assert response.answer[0].rdtype == 99
    assert [rd.strings for rd in response.answer[0]] == [(b"v=spf1 -all",)]


def test_nxdomain_nodata_and_empty_non_terminal(server: DNSTestServer) -> None:
    nx = ask(server, "nothing.example.com", "TXT")
    assert nx.rcode() == dns.rcode.NXDOMAIN
    assert not nx.answer
    nodata = ask(server, "mail.example.com", "TXT")
    assert nodata.rcode() == dns.rcode.NOERROR
    assert not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    ent = ask(server, "ent.example.com", "A")
    assert ent.rcode() == dns.rcode.NOERROR
    assert not ent.answer
    # A name that merely shares a suffix string is not an empty non-terminal.
    assert ask(server, "p.example.com", "A").rcode() == dns.rcode.NXDOMAIN


def test_apex_without_records_exists(make_dns_server: Make) -> None:
    zone = ZoneData(apexes={"zone.test"})
    server = make_dns_server(zone)
    assert ask(server, "zone.test", "TXT").rcode() == dns.rcode.NOERROR
    assert ask(server, "www.zone.test", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_cname_chain_is_followed(server: DNSTestServer) -> None:
    response = ask(server, "alias.example.com", "A")
    assert response.rcode() == dns.rcode.NOERROR
    owners = [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype)) for r in response.answer]
    assert owners == [
        ("alias.example.com.", "CNAME"),
        ("hop.example.com.", "CNAME"),
        ("example.com.", "A"),
    ]
    assert texts(response, "CNAME") == ["example.com.", "hop.example.com."]
    only_cname = ask(server, "alias.example.com", "CNAME")
    assert texts(only_cname, "CNAME") == ["hop.example.com."]
    assert len(only_cname.answer) == 1


def test_dangling_cname_is_nxdomain(server: DNSTestServer) -> None:
    response = ask(server, "dangling.example.com", "TXT")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert texts(response, "CNAME") == ["missing.example.com."]


def test_cname_loop_terminates(server: DNSTestServer) -> None:
    response = ask(server, "loop1.example.com", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert texts(response, "CNAME") == ["loop1.example.com.", "loop2.example.com."]


def test_resolver_client(server: DNSTestServer) -> None:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = 1.0
    answer = resolver.resolve("alias.example.com", "A")
    assert [rd.to_text() for rd in answer] == ["192.0.2.1"]
    assert answer.canonical_name.to_text() == "example.com."
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve("nothing.example.com", "TXT")
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve("mail.example.com", "TXT")


def test_timeout_flag_drops_udp(server: DNSTestServer) -> None:
    started = time.monotonic()
    with pytest.raises(dns.exception.Timeout):
        ask(server, "slow.example.com", "TXT", timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert server.count("slow.example.com", "TXT") == 1


def test_timeout_behaviour_drops_tcp(server: DNSTestServer) -> None:
    server.set_behaviour("Mail.Example.com", "timeout")
    with pytest.raises(dns.exception.Timeout):
        ask(server, "mail.example.com", "A", tcp=True, timeout=0.3)
    server.set_behaviour("mail.example.com", None)
    assert texts(ask(server, "mail.example.com", "A"), "A") == ["192.0.2.25"]


def test_servfail_and_refused(server: DNSTestServer) -> None:
    assert ask(server, "broken.example.com", "TXT").rcode() == dns.rcode.SERVFAIL
    server.set_behaviour("example.com", "servfail")
    assert ask(server, "example.com", "TXT").rcode() == dns.rcode.SERVFAIL
    server.set_behaviour("example.com", "refused")
    assert ask(server, "example.com", "TXT", tcp=True).rcode() == dns.rcode.REFUSED
    # A failing name inside a CNAME chain fails the whole question.
    assert ask(server, "alias.example.com", "A").rcode() == dns.rcode.REFUSED
    with pytest.raises(ValueError):
        server.set_behaviour("example.com", "explode")


def test_garbage(server: DNSTestServer) -> None:
    server.set_behaviour("example.com", "garbage")
    with pytest.raises(dns.exception.DNSException):
        ask(server, "example.com", "TXT")
    with pytest.raises(dns.exception.DNSException):
        ask(server, "example.com", "TXT", tcp=True)


def test_big_answer_truncates_then_tcp_gets_it(server: DNSTestServer) -> None:
    udp = ask(server, "big.example.com", "TXT")
    assert udp.flags & dns.flags.TC
    assert not udp.answer
    tcp = ask(server, "big.example.com", "TXT", tcp=True)
    assert not tcp.flags & dns.flags.TC
    assert len(tcp.answer[0]) == 10
    assert len(tcp.to_wire()) > 512
    query = dns.message.make_query("big.example.com", "TXT")
    response, used_tcp = dns.query.udp_with_fallback(
        query, server.host, port=server.port, timeout=1.0
    )
    assert used_tcp
    assert len(response.answer[0]) == 10
    assert [q.transport for q in server.queries] == ["udp", "tcp", "udp", "tcp"]


def test_edns_payload_allows_big_udp_answer(server: DNSTestServer) -> None:
    response = ask(server, "big.example.com", "TXT", edns=0, payload=1232)
    assert not response.flags & dns.flags.TC
    assert len(response.answer[0]) == 10
    assert response.edns == 0
    small = ask(server, "big.example.com", "TXT", edns=0, payload=600)
    assert small.flags & dns.flags.TC
    assert ask(server, "example.com", "A").edns == -1


def test_server_without_edns_always_truncates(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, edns=False)
    response = ask(server, "big.example.com", "TXT", edns=0, payload=4096)
    assert response.flags & dns.flags.TC
    assert response.edns == -1
    assert len(ask(server, "big.example.com", "TXT", tcp=True).answer[0]) == 10


def test_truncate_always(server: DNSTestServer) -> None:
    server.set_behaviour("mail.example.com", "truncate-always")
    udp = ask(server, "mail.example.com", "A", edns=0)
    assert udp.flags & dns.flags.TC
    assert not udp.answer
    assert texts(ask(server, "mail.example.com", "A", tcp=True), "A") == ["192.0.2.25"]


def test_several_queries_on_one_tcp_connection(server: DNSTestServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=1.0) as sock:
        for name in ("example.com", "mail.example.com", "deep.ent.example.com"):
            query = dns.message.make_query(name, "A")
            response = dns.query.tcp(query, server.host, timeout=1.0, sock=sock)
            assert response.id == query.id
            assert len(response.answer) == 1
    assert server.count(rdtype="A") == 3


def test_latency_overlaps(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, latency=0.1)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: ask(server, "example.com", "A"), range(10)))
    elapsed = time.monotonic() - started
    assert all(texts(r, "A") == ["192.0.2.1"] for r in results)
    assert 0.1 <= elapsed < 0.4, elapsed
    server.latency = 0.0
    started = time.monotonic()
    ask(server, "example.com", "A")
    assert time.monotonic() - started < 0.1


def test_asyncio_client_in_main_thread(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, latency=0.1)

    async def run() -> list[dns.message.Message]:
        queries = [dns.message.make_query("example.com", t) for t in ("A", "MX", "TXT")]
        return await asyncio.gather(
            *(dns.asyncquery.udp(q, server.host, port=server.port, timeout=1.0) for q in queries)
        )

    started = time.monotonic()
    responses = asyncio.run(run())
    assert time.monotonic() - started < 0.25  # serial answers would take 0.3 s
    assert [len(r.answer) for r in responses] == [1, 1, 1]


def test_query_log(server: DNSTestServer) -> None:
    ask(server, "example.com", "TXT")
    ask(server, "EXAMPLE.com", "TXT", tcp=True)
    ask(server, "mail.example.com", "A")
    assert server.queries == [
        SeenQuery("example.com", "TXT", "udp"),
        SeenQuery("example.com", "TXT", "tcp"),
        SeenQuery("mail.example.com", "A", "udp"),
    ]
    assert server.count() == 3
    assert server.count("example.com") == 2
    assert server.count(rdtype="a") == 1
    assert server.count("example.com", "A") == 0
    server.clear_log()
    assert server.count() == 0


def test_load_replaces_data_and_ttls(make_dns_server: Make) -> None:
    server = make_dns_server(ZONE, ttls={"mail.example.com": 60})
    assert ask(server, "mail.example.com", "A").answer[0].ttl == 60
    server.load(zonedata_from_dict({"new.test": [{"TXT": "v=spf1 +all"}]}))
    assert ask(server, "example.com", "A").rcode() == dns.rcode.NXDOMAIN
    assert texts(ask(server, "new.test", "TXT"), "TXT") == ['"v=spf1 +all"']


def test_long_string_is_split_at_255_octets(make_dns_server: Make) -> None:
    long_text = b"v=spf1 " + b"a" * 400
    zone = ZoneData(names={"long.test": NameData(records=[("TXT", (long_text,))])})
    server = make_dns_server(zone)
    (rdata,) = ask(server, "long.test", "TXT", tcp=True).answer[0]
    assert [len(s) for s in rdata.strings] == [255, 152]
    assert b"".join(rdata.strings) == long_text


def test_bad_record_is_rejected_at_load() -> None:
    zone = ZoneData(names={"bad.test": NameData(records=[("A", "300.1.1.1")])})
    with pytest.raises(ValueError, match=r"bad\.test"):
        DNSTestServer(zone)


def test_zonedata_from_dict_shapes() -> None:
    zone = zonedata_from_dict(
        {
            "Example.COM.": [
                {"TXT": "v=spf1 é"},
                {"TXT": ["a", "b"]},
                {"SPF": "v=spf1"},
                {"MX": [5, "Mx.Example.com."]},
                {"A": "192.0.2.1"},
            ],
            "gone.test": ["TIMEOUT"],
            "down.test": ["SERVFAIL"],
        }
    )
    data = zone.names["example.com"]
    assert data.records == [
        ("TXT", ("v=spf1 é".encode(),)),
        ("TXT", (b"a", b"b")),
        ("SPF", (b"v=spf1",)),
        ("MX", (5, "mx.example.com")),
        ("A", "192.0.2.1"),
    ]
    assert zone.names["gone.test"].timeout
    assert zone.names["down.test"].servfail


def test_factory_gives_independent_servers(make_dns_server: Make) -> None:
    one = make_dns_server({"a.test": [{"A": "192.0.2.1"}]})
    two = make_dns_server({"a.test": [{"A": "192.0.2.2"}]})
    assert one.port != two.port
    assert texts(ask(one, "a.test", "A"), "A") == ["192.0.2.1"]
    assert texts(ask(two, "a.test", "A"), "A") == ["192.0.2.2"]


def test_dns_server_fixture_starts_empty(dns_server: DNSTestServer) -> None:
    assert ask(dns_server, "example.com", "A").rcode() == dns.rcode.NXDOMAIN


def test_stop_leaves_nothing_running() -> None:
    server = DNSTestServer(zonedata_from_dict(ZONE), latency=0.5).start()
    port = server.port

    def ours() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith(f"dnstest-{port}-")]

    assert len(ours()) == 1
    idle = socket.create_connection((server.host, port), timeout=1.0)
    pending = dns.message.make_query("example.com", "A")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.sendto(pending.to_wire(), (server.host, port))
    deadline = time.monotonic() + 1.0
    while (server.count() == 0 or len(ours()) < 3) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(ours()) == 3  # listener, idle TCP connection, the delayed UDP answer
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 0.3
    assert ours() == []
    with pytest.raises(OSError):
        socket.create_connection((server.host, port), timeout=0.5).close()
    idle.close()
    udp.close()
    server.stop()  # stopping twice is harmless
