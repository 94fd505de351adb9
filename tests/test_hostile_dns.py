"""check_host() against hostile DNS: loops, fan-out, huge answers, slow and broken servers.

Every case runs over real DNS (the local test server) and must end with the right result,
within a bounded number of queries, and quickly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from spflint.dns.base import Answer, Outcome
from spflint.dns.live import LiveResolver
from spflint.evaluate import SpfResult, check_host, query_cap
from tests.dnsserver import DNSTestServer

MakeServer = Callable[..., DNSTestServer]
CAP = query_cap()


def live_check(server: DNSTestServer, domain: str, ip: str = "192.0.2.1", *,
               deadline: float | None = None, **options: Any) -> tuple[SpfResult, float]:
    resolver = LiveResolver([(server.host, server.port)], timeout=0.3, retries=1,
                            deadline=None if deadline is None else time.monotonic() + deadline)
    started = time.monotonic()
    result = asyncio.run(check_host(ip, domain, f"user@{domain}", resolver=resolver,
                                    helo="mx.example.org", **options))
    return result, time.monotonic() - started


def test_include_loop(make_dns_server: MakeServer) -> None:
    server = make_dns_server({
        "a.example.com": [{"TXT": "v=spf1 include:b.example.com -all"}],
        "b.example.com": [{"TXT": "v=spf1 include:a.example.com -all"}],
    })
    result, elapsed = live_check(server, "a.example.com")
    assert result.result == "permerror"
    assert result.lookups == 11
    # The cache answers repeats, so each name is asked once.
    assert server.count() <= 2 < CAP
    assert elapsed < 2


def test_redirect_self_loop_with_cache_disabled(make_dns_server: MakeServer) -> None:
    server = make_dns_server({"a.example.com": [{"TXT": "v=spf1 redirect=a.example.com"}]},
                             ttls={"a.example.com": 0})
    result, _ = live_check(server, "a.example.com")
    assert result.result == "permerror"
    assert server.count("a.example.com", "TXT") == 11  # the first fetch and 10 redirects


def test_500_mx_names(make_dns_server: MakeServer) -> None:
    mx = [{"MX": [i, f"mx{i}.example.com"]} for i in range(500)]
    hosts = {f"mx{i}.example.com": [{"A": "198.51.100.1"}] for i in range(500)}
    server = make_dns_server({"example.com": [{"TXT": "v=spf1 mx -all"}, *mx], **hosts})
    result, elapsed = live_check(server, "example.com", "198.51.100.1")
    assert result.result == "permerror"
    assert "500 MX records" in (result.problem or "")
    assert server.count(rdtype="A") == 0
    assert server.count() <= 3  # TXT, MX over UDP, MX again over TCP
    assert elapsed < 2


def test_huge_txt_set_with_one_spf_record(make_dns_server: MakeServer) -> None:
    noise = [{"TXT": f"n{i}"} for i in range(3000)]
    server = make_dns_server({"example.com": [*noise, {"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}]})
    result, elapsed = live_check(server, "example.com")
    assert result.result == "pass"
    assert server.count("example.com", "TXT") == 2  # truncated over UDP, whole over TCP
    assert elapsed < 3


class BigTxtResolver:
    """Answers one name's TXT question with a fixed record set, everything else NXDOMAIN.

    No DNS message can carry 10,000 records, so this set never crosses the wire.
    """

    def __init__(self, name: str, records: list[tuple[bytes, ...]]) -> None:
        self.name = name
        self.records = tuple(records)
        self.asked = 0

    async def query(self, name: str, rdtype: str) -> Answer:
        self.asked += 1
        if name == self.name and rdtype == "TXT":
            return Answer(name, rdtype, Outcome.OK, self.records)
        return Answer(name, rdtype, Outcome.NXDOMAIN)


@pytest.mark.parametrize(("spf", "expected"), [
    ((b"v=spf1 ", b"ip4:192.0.2.0/24 -all"), "pass"),
    (None, "none"),
])
def test_ten_thousand_txt_records(spf: tuple[bytes, ...] | None, expected: str) -> None:
    records = [(f"site-verification-{i}".encode(), b"x" * 200) for i in range(10_000)]
    records.insert(5_000, (b"v=spf1x ip4:0.0.0.0/0",))  # not SPF: no space after the version
    if spf is not None:
        records.insert(7_000, spf)
    resolver = BigTxtResolver("example.com", records)
    started = time.monotonic()
    result = asyncio.run(check_host("192.0.2.1", "example.com", "u@example.com",
                                    resolver=resolver))
    assert result.result == expected
    assert resolver.asked == 1
    assert time.monotonic() - started < 2


# The test server cannot encode a reply this big, so its handler thread fails and it stays
# silent: the client sees a timeout.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_answer_too_big_to_send(make_dns_server: MakeServer) -> None:
    noise = [{"TXT": f"site-verification-{i}"} for i in range(10_000)]
    server = make_dns_server({"example.com": [*noise, {"TXT": "v=spf1 -all"}]})
    result, elapsed = live_check(server, "example.com")
    assert result.result == "temperror"
    assert server.count() <= 4
    assert elapsed < 3


def test_include_fan_out(make_dns_server: MakeServer) -> None:
    zone: dict[str, Any] = {}
    for level in range(3):
        for i in range(10):
            name = f"l{level}-{i}.example.com"
            children = " ".join(f"include:l{level + 1}-{j}.example.com" for j in range(10))
            zone[name] = [{"TXT": f"v=spf1 {children} -all" if level < 2 else "v=spf1 -all"}]
    zone["example.com"] = [{"TXT": " ".join(
        ["v=spf1", *(f"include:l0-{i}.example.com" for i in range(10)), "-all"])}]
    server = make_dns_server(zone)
    result, elapsed = live_check(server, "example.com")
    assert result.result == "permerror"
    assert server.count() <= 11
    assert elapsed < 2


def test_mx_names_with_many_addresses(make_dns_server: MakeServer) -> None:
    mx = [{"MX": [i, f"mx{i}.example.com"]} for i in range(10)]
    hosts = {f"mx{i}.example.com": [{"A": f"198.51.{i}.{j}"} for j in range(1, 200)]
             for i in range(10)}
    server = make_dns_server({"example.com": [{"TXT": "v=spf1 mx mx mx -all"}, *mx], **hosts})
    result, elapsed = live_check(server, "example.com", "192.0.2.1")
    assert result.result == "fail"
    assert result.queries <= 1 + 3 * 11
    assert server.count() <= CAP
    assert elapsed < 5


def test_cname_loops(make_dns_server: MakeServer) -> None:
    server = make_dns_server({
        "example.com": [{"CNAME": "loop1.example.com"}],
        "loop1.example.com": [{"CNAME": "loop2.example.com"}],
        "loop2.example.com": [{"CNAME": "loop1.example.com"}],
        "inc.example.com": [{"TXT": "v=spf1 a:loop1.example.com -all"}],
    })
    result, _ = live_check(server, "example.com")
    assert result.result == "temperror"
    result, _ = live_check(server, "inc.example.com")
    assert result.result == "temperror"
    assert server.count() <= 10


def test_ptr_to_cname_loop_is_skipped(make_dns_server: MakeServer) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 ptr ?all"}],
        "1.2.0.192.in-addr.arpa": [{"PTR": "host.example.com"}],
        "host.example.com": [{"CNAME": "host.example.com"}],
    })
    result, _ = live_check(server, "example.com")
    assert result.result == "neutral"


def test_slow_server_and_overall_timeout(make_dns_server: MakeServer) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 a:x1.example.com a:x2.example.com a:x3.example.com "
                                "a:x4.example.com -all"}],
    }, latency=0.25)
    result, elapsed = live_check(server, "example.com", timeout=0.6)
    assert result.result == "temperror"
    assert "did not finish within 0.6 s" in (result.problem or "")
    assert elapsed < 1.5


def test_slow_server_and_resolver_deadline(make_dns_server: MakeServer) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 a:x1.example.com a:x2.example.com a:x3.example.com "
                                "a:x4.example.com -all"}],
    }, latency=0.2)
    result, elapsed = live_check(server, "example.com", deadline=0.5)
    assert result.result == "temperror"
    assert elapsed < 1.5


@pytest.mark.parametrize("behaviour", ["servfail", "refused", "garbage", "timeout"])
def test_broken_answers(make_dns_server: MakeServer, behaviour: str) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 a:bad.example.com ip4:192.0.2.1 -all"}],
        "bad.example.com": [{"A": "192.0.2.1"}],
    })
    server.set_behaviour("bad.example.com", behaviour)
    result, elapsed = live_check(server, "example.com")
    assert result.result == "temperror"
    assert "bad.example.com" in (result.problem or "")
    assert server.count("bad.example.com") <= 2  # one try and one retry
    assert elapsed < 2


def test_servfail_on_the_record_itself(make_dns_server: MakeServer) -> None:
    server = make_dns_server({"example.com": ["SERVFAIL"]})
    result, _ = live_check(server, "example.com")
    assert result.result == "temperror"
    assert server.count() <= 2


def test_ptr_failures_do_not_abort(make_dns_server: MakeServer) -> None:
    ptrs = [{"PTR": f"h{i}.example.com"} for i in range(10)]
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 ptr ?all"}],
        "1.2.0.192.in-addr.arpa": ptrs,
        **{f"h{i}.example.com": ["SERVFAIL"] for i in range(10)},
    })
    result, _ = live_check(server, "example.com")
    assert result.result == "neutral"
    assert server.count(rdtype="A") <= 20
