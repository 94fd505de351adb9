"""check_host() semantics beyond the conformance suite: accounting, limits, paths, headers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from spflint.dns.base import Answer, Outcome
from spflint.dns.offline import OfflineResolver
from spflint.dns.zonedata import load_yaml
from spflint.evaluate import (
    SpfResult,
    check_host,
    check_mail,
    evaluate,
    identity,
    is_valid_domain,
    query_cap,
    received_spf,
)
from tests.conftest import zonedata_from_dict

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "zones" / "eval-basic.yml"


class Recording:
    """An offline resolver that remembers every question."""

    def __init__(self, zone: dict[str, Any]) -> None:
        self.inner = OfflineResolver(zonedata_from_dict(zone), authoritative_all=True)
        self.asked: list[tuple[str, str]] = []

    async def query(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name.lower().rstrip("."), rdtype))
        return await self.inner.query(name, rdtype)


def check(zone: dict[str, Any], ip: str, domain: str, sender: str | None = None,
          **options: Any) -> tuple[SpfResult, Recording]:
    resolver = Recording(zone)
    result = evaluate(ip, domain, sender if sender is not None else f"user@{domain}",
                      resolver=resolver, helo=options.pop("helo", "mx.example.org"), **options)
    return result, resolver


def test_match_path_and_counts() -> None:
    zone = {
        "example.com": [{"TXT": "v=spf1 include:a.example.com -all"}],
        "a.example.com": [{"TXT": "v=spf1 redirect=b.example.com"}],
        "b.example.com": [{"TXT": "v=spf1 a:nothing.example.com ip4:192.0.2.0/24 -all"}],
    }
    result, resolver = check(zone, "192.0.2.9", "example.com")
    assert result.result == "pass"
    assert result.matched is not None
    assert result.matched.term == "ip4:192.0.2.0/24"
    assert result.matched.domain == "b.example.com"
    assert result.matched.column == 30
    assert result.path == (("example.com", "include:a.example.com"),
                           ("a.example.com", "redirect=b.example.com"))
    assert (result.lookups, result.void_lookups) == (3, 1)
    assert result.queries == len(resolver.asked) == 4
    assert result.explanation is None and result.problem is None


def test_include_result_mapping() -> None:
    base = {"example.com": [{"TXT": "v=spf1 include:inner.example.com ?all"}]}
    cases = {
        "v=spf1 +all": ("pass", "inner.example.com"),
        "v=spf1 -all": ("neutral", "example.com"),
        "v=spf1 ~all": ("neutral", "example.com"),
        "v=spf1 ?all": ("neutral", "example.com"),
        "v=spf1 ip4:1.2.3.4/33": ("permerror", None),
    }
    for inner, (want, where) in cases.items():
        result, _ = check(base | {"inner.example.com": [{"TXT": inner}]}, "192.0.2.1",
                          "example.com")
        assert result.result == want, inner
        assert (result.matched.domain if result.matched else None) == where
    result, _ = check(base, "192.0.2.1", "example.com")
    assert result.result == "permerror"
    assert "inner.example.com has no SPF record" in (result.problem or "")
    result, _ = check(base | {"inner.example.com": ["TIMEOUT"]}, "192.0.2.1", "example.com")
    assert result.result == "temperror"


def test_redirect_to_nothing_and_all_cancels_redirect() -> None:
    result, _ = check({"example.com": [{"TXT": "v=spf1 redirect=gone.example.com"}]},
                      "192.0.2.1", "example.com")
    assert result.result == "permerror"
    result, resolver = check(
        {"example.com": [{"TXT": "v=spf1 redirect=gone.example.com ?all"}]},
        "192.0.2.1", "example.com")
    assert result.result == "neutral"
    assert resolver.asked == [("example.com", "TXT")]


def test_explanation_fetched_only_on_fail() -> None:
    zone = {
        "example.com": [{"TXT": "v=spf1 ip4:192.0.2.1 ~ip4:192.0.2.2 -all exp=why.example.com"}],
        "why.example.com": [{"TXT": "%{i} may not send for %{d}"}],
    }
    for ip, want in (("192.0.2.1", "pass"), ("192.0.2.2", "softfail")):
        result, resolver = check(zone, ip, "example.com")
        assert result.result == want
        assert ("why.example.com", "TXT") not in resolver.asked
        assert result.explanation is None
    result, resolver = check(zone, "192.0.2.3", "example.com")
    assert result.result == "fail"
    assert result.explanation == "192.0.2.3 may not send for example.com"
    assert resolver.asked.count(("why.example.com", "TXT")) == 1


@pytest.mark.parametrize("target", [
    [{"TXT": "one"}, {"TXT": "two"}],
    ["TIMEOUT"],
    [{"A": "192.0.2.1"}],
    [{"TXT": "The %{x}-files."}],
])
def test_explanation_problems_are_ignored(target: list[Any]) -> None:
    zone = {"example.com": [{"TXT": "v=spf1 -all exp=why.example.com"}],
            "why.example.com": target}
    result, _ = check(zone, "192.0.2.3", "example.com")
    assert (result.result, result.explanation, result.problem) == ("fail", None, None)


def test_lookup_limit_counts_evaluated_terms_only() -> None:
    ten = " ".join(["a"] * 10)
    zone = {"example.com": [{"TXT": f"v=spf1 {ten} ip4:192.0.2.1 a -all"}],
            }
    zone["example.com"].append({"A": "203.0.113.1"})
    result, _ = check(zone, "192.0.2.1", "example.com")
    assert (result.result, result.lookups) == ("pass", 10)
    result, _ = check(zone, "192.0.2.2", "example.com")
    assert result.result == "permerror"
    assert result.lookups == 11
    assert "more than 10 DNS-querying terms" in (result.problem or "")
    result, _ = check(zone, "192.0.2.2", "example.com", max_lookups=11)
    assert result.result == "fail"


def test_void_lookup_limit() -> None:
    zone = {"example.com": [
        {"TXT": "v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com -all"}]}
    result, _ = check(zone, "192.0.2.1", "example.com")
    assert (result.result, result.void_lookups) == ("permerror", 3)
    result, _ = check(zone, "192.0.2.1", "example.com", max_void=3)
    assert (result.result, result.void_lookups) == ("fail", 3)


def test_mx_limits_and_address_family() -> None:
    names = [{"MX": [i, f"mx{i}.example.com"]} for i in range(10)]
    hosts = {f"mx{i}.example.com": [{"A": f"198.51.100.{i}"}, {"AAAA": f"2001:db8::{i}"}]
             for i in range(11)}
    zone = {"example.com": [{"TXT": "v=spf1 mx -all"}, *names], **hosts}
    result, resolver = check(zone, "198.51.100.9", "example.com")
    assert result.result == "pass"
    assert not any(rdtype == "AAAA" for _, rdtype in resolver.asked)
    result, resolver = check(zone, "2001:db8::9", "example.com")
    assert result.result == "pass"
    assert not any(rdtype == "A" for _, rdtype in resolver.asked)
    zone["example.com"].append({"MX": [10, "mx10.example.com"]})
    result, resolver = check(zone, "198.51.100.9", "example.com")
    assert result.result == "permerror"
    assert "11 MX records" in (result.problem or "")
    assert len(resolver.asked) == 2  # no address lookups once the limit is exceeded


def test_ptr_limits_and_validation() -> None:
    ptrs = [{"PTR": f"h{i}.example.com"} for i in range(12)]
    hosts = {f"h{i}.example.com": [{"A": "192.0.2.5"}] for i in range(12)}
    zone = {"example.com": [{"TXT": "v=spf1 ptr:h11.example.com -all"}],
            "5.2.0.192.in-addr.arpa": ptrs, **hosts}
    result, _ = check(zone, "192.0.2.5", "example.com")
    assert result.result == "fail"  # the 12th name is past the limit of 10
    zone["example.com"] = [{"TXT": "v=spf1 ptr:h3.example.com -all"}]
    result, resolver = check(zone, "192.0.2.5", "example.com")
    assert result.result == "pass"
    # Only the name inside the target is validated.
    assert [q for q in resolver.asked if q[1] == "A"] == [("h3.example.com", "A")]


def test_p_macro_is_looked_up_once() -> None:
    zone = {
        "example.com": [{"TXT": "v=spf1 exists:%{p}.a.example.com exists:%{p}.b.example.com"
                                " -all"}],
        "5.2.0.192.in-addr.arpa": [{"PTR": "mail.example.com"}],
        "mail.example.com": [{"A": "192.0.2.5"}],
        "mail.example.com.b.example.com": [{"A": "127.0.0.2"}],
    }
    result, resolver = check(zone, "192.0.2.5", "example.com")
    assert result.result == "pass"
    assert resolver.asked.count(("5.2.0.192.in-addr.arpa", "PTR")) == 1


def test_ipv4_mapped_address_is_ipv4() -> None:
    zone = {"example.com": [{"TXT": "v=spf1 ip6:::ffff:0:0/96 a -all"},
                            {"A": "192.0.2.1"}]}
    result, resolver = check(zone, "::ffff:192.0.2.1", "example.com")
    assert (result.result, result.ip) == ("pass", "192.0.2.1")
    assert ("example.com", "A") in resolver.asked


def test_invalid_domains_give_none_without_queries() -> None:
    for domain in ("a" * 64 + ".example.com", "example..com", "localhost", "[192.0.2.1]",
                   "192.0.2.1"):
        result, resolver = check({}, "192.0.2.1", domain)
        assert result.result == "none", domain
        assert resolver.asked == []
    assert is_valid_domain("example.com.")


def test_identity_rules() -> None:
    assert identity("", "mx.example.org") == ("mx.example.org", "postmaster@mx.example.org")
    assert identity("@example.net", "h") == ("example.net", "@example.net")
    assert identity("a@example.net", None) == ("example.net", "a@example.net")
    zone = {"mx.example.org": [{"TXT": "v=spf1 -all exp=e.example.org"}],
            "e.example.org": [{"TXT": "%{s} %{l} %{o} %{h}"}]}
    resolver = Recording(zone)
    result = check_mail("192.0.2.1", "", "mx.example.org", resolver=resolver)
    assert result.result == "fail"
    assert result.explanation == (
        "postmaster@mx.example.org postmaster mx.example.org mx.example.org")


def test_dns_failures_and_limits() -> None:
    zone = {"example.com": [{"TXT": "v=spf1 a:t.example.com -all"}], "t.example.com": ["TIMEOUT"]}
    result, _ = check(zone, "192.0.2.1", "example.com")
    assert result.result == "temperror"
    assert "t.example.com" in (result.problem or "")

    class Limited(Recording):
        async def query(self, name: str, rdtype: str) -> Answer:
            if rdtype == "A":
                return Answer(name, rdtype, Outcome.LIMIT, detail="cap of 1 reached")
            return await super().query(name, rdtype)

    result = evaluate("192.0.2.1", "example.com", "u@example.com",
                      resolver=Limited({"example.com": [{"TXT": "v=spf1 a -all"}]}))
    assert result.result == "temperror"
    assert "cap of 1 reached" in (result.problem or "")


def test_query_cap() -> None:
    assert query_cap() == 123
    zone = {"example.com": [{"TXT": "v=spf1 a:x.example.com a:y.example.com -all"}],
            "x.example.com": [{"A": "203.0.113.1"}], "y.example.com": [{"A": "203.0.113.2"}]}
    result, resolver = check(zone, "192.0.2.1", "example.com", max_queries=2)
    assert result.result == "temperror"
    assert "cap of 2 DNS queries" in (result.problem or "")
    assert len(resolver.asked) == 2


def test_timeout_and_raising_resolver() -> None:
    class Slow:
        async def query(self, name: str, rdtype: str) -> Answer:
            await asyncio.sleep(5)
            raise AssertionError("not reached")

    result = evaluate("192.0.2.1", "example.com", "u@example.com", resolver=Slow(),
                      timeout=0.05)
    assert result.result == "temperror"
    assert "within 0.05 s" in (result.problem or "")

    class Broken:
        async def query(self, name: str, rdtype: str) -> Answer:
            raise RuntimeError("boom")

    result = evaluate("192.0.2.1", "example.com", "u@example.com", resolver=Broken())
    assert result.result == "temperror"
    assert "boom" in (result.problem or "")


def test_duplicate_modifiers() -> None:
    for record in ("v=spf1 redirect=a.example.com redirect=a.example.com",
                   "v=spf1 -all exp=a.example.com exp=b.example.com"):
        result, _ = check({"example.com": [{"TXT": record}]}, "192.0.2.1", "example.com")
        assert result.result == "permerror"


def test_fixture_scenarios() -> None:
    resolver = OfflineResolver(load_yaml(FIXTURE), authoritative_all=True)

    def run(ip: str, sender: str) -> SpfResult:
        domain, full = identity(sender, "mx.example.org")
        return asyncio.run(check_host(ip, domain, full, resolver=resolver, helo="mx.example.org"))

    assert run("192.0.2.5", "a@example.com").result == "pass"
    relayed = run("198.51.100.7", "a@example.com")
    assert (relayed.result, relayed.path) == ("pass", (("example.com",
                                                        "include:_spf.example.com"),))
    assert run("198.51.100.25", "a@example.com").matched.term == "mx"  # type: ignore[union-attr]
    assert run("2001:db8:3::26", "a@example.com").result == "pass"
    failed = run("203.0.113.99", "a@example.net")
    assert failed.result == "fail"
    assert failed.explanation == (
        "203.0.113.99 is not one of example.com's designated mail servers "
        "(sender a@example.net, helo mx.example.org).")
    assert run("192.0.2.1", "a@broken.example.org").result == "permerror"
    assert run("192.0.2.1", "a@two.example.org").result == "permerror"
    assert run("192.0.2.1", "a@slow.example.org").result == "temperror"
    assert run("192.0.2.5", "bob@macro.example.org").result == "pass"
    assert run("192.0.2.5", "alice@macro.example.org").result == "fail"
    assert run("192.0.2.1", "a@nowhere.example.org").result == "none"


def test_received_spf_header() -> None:
    zone = {"example.com": [{"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}]}
    result, _ = check(zone, "192.0.2.1", "example.com", sender="a@example.com",
                      helo="mx.example.org")
    header = received_spf(result, receiver="mx.receiver.example")
    assert header == (
        "Received-SPF: pass (mx.receiver.example: domain of a@example.com designates "
        "192.0.2.1 as permitted sender) client-ip=192.0.2.1; "
        'envelope-from="a@example.com"; helo=mx.example.org; receiver=mx.receiver.example; '
        'identity=mailfrom; mechanism="ip4:192.0.2.0/24";'
    )
    bad, _ = check({"example.com": [{"TXT": "v=spf1 ip4:1.2.3.4/33"}]}, "192.0.2.1",
                   "example.com")
    assert 'problem="' in received_spf(bad)
