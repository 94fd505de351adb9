"""Host detection from NS records served by the local test DNS server, and the registry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spflint.dns.layered import build_resolver
from spflint.errors import DNSFailure
from spflint.hosts import registry
from spflint.hosts.detect import Detection, classify, detect
from spflint.hosts.model import Kind
from tests.dnsserver import DNSTestServer

DOCS = Path(__file__).resolve().parent.parent / "docs" / "hosts"
REQUIRED_HOSTS = {
    "cloudflare", "godaddy", "namecheap", "route53", "azure", "google-cloud-dns",
    "squarespace", "digitalocean", "gandi", "ovh", "ionos", "hover", "porkbun", "namecom",
    "hetzner", "ns1", "bind", "octodns", "dnscontrol", "terraform-aws", "terraform-cloudflare",
    "terraform-azurerm", "terraform-google", "aws-cli", "az-cli", "gcloud",
}


def _detect(server: DNSTestServer, domain: str) -> Detection:
    resolver = build_resolver(nameservers=[server.address], timeout=1.0, dns_data_files=[],
                              offline=False)
    return asyncio.run(detect(domain, resolver))


def _ns(*hosts: str) -> list[dict[str, str]]:
    return [{"NS": h} for h in hosts]


ZONES: dict[str, Any] = {
    "cf.example": _ns("alice.ns.cloudflare.com", "bob.ns.cloudflare.com"),
    "r53.example": _ns("ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com",
                       "ns-1024.awsdns-00.org", "ns-512.awsdns-00.net"),
    "gd.example": _ns("ns-cloud-a1.googledomains.com", "ns-cloud-a2.googledomains.com"),
    "mixed.example": _ns("alice.ns.cloudflare.com", "ns-0.awsdns-00.com"),
    "odd.example": _ns("ns1.example-dns.net", "ns2.example-dns.net"),
    "nc.example": _ns("pdns1.registrar-servers.com", "pdns2.registrar-servers.com"),
    "www.nc.example": [{"A": "192.0.2.1"}],
    "hz.example": _ns("hydrogen.ns.hetzner.com", "helium.ns.hetzner.de"),
}


@pytest.fixture
def server(make_dns_server: Callable[..., DNSTestServer]) -> DNSTestServer:
    return make_dns_server(ZONES)


def test_cloudflare(server: DNSTestServer) -> None:
    found = _detect(server, "cf.example")
    assert [h.key for h in found.hosts] == ["cloudflare"]
    assert not found.ambiguous and found.matched
    assert found.zone == "cf.example"
    assert found.ns == ["alice.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert "Cloudflare" in found.reason


def test_route53_all_four_suffixes(server: DNSTestServer) -> None:
    found = _detect(server, "r53.example")
    assert [h.key for h in found.hosts] == ["route53"]
    assert len(found.patterns["route53"]) == 4


def test_googledomains_is_ambiguous(server: DNSTestServer) -> None:
    found = _detect(server, "gd.example")
    assert {h.key for h in found.hosts} == {"google-cloud-dns", "squarespace"}
    assert found.ambiguous
    assert "used by" in found.reason


def test_two_providers_are_both_reported(server: DNSTestServer) -> None:
    found = _detect(server, "mixed.example")
    assert [h.key for h in found.hosts] == ["cloudflare", "route53"]
    assert found.ambiguous and "several hosts" in found.reason


def test_unknown_falls_back_to_zone_file(server: DNSTestServer) -> None:
    found = _detect(server, "odd.example")
    assert [h.key for h in found.hosts] == ["bind"]
    assert not found.matched and not found.ambiguous
    assert "not in spflint's host registry" in found.reason


def test_walks_up_to_the_zone_apex(server: DNSTestServer) -> None:
    found = _detect(server, "www.nc.example")
    assert found.zone == "nc.example"
    assert [h.key for h in found.hosts] == ["namecheap"]
    found = _detect(server, "missing.deep.cf.example")
    assert found.zone == "cf.example"


def test_hetzner_com_and_de(server: DNSTestServer) -> None:
    found = _detect(server, "hz.example")
    assert [h.key for h in found.hosts] == ["hetzner"]


def test_no_ns_anywhere(server: DNSTestServer) -> None:
    found = _detect(server, "nothing.invalid-zone")
    assert not found.matched and found.ns == []


def test_timeout_is_a_dns_failure(make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server(ZONES)
    server.set_behaviour("cf.example", "servfail")
    with pytest.raises(DNSFailure):
        _detect(server, "cf.example")


@pytest.mark.parametrize("ns,key", [
    ("ns31.domaincontrol.com", "godaddy"),
    ("dns1.registrar-servers.com", "namecheap"),
    ("dns2.namecheaphosting.com", "namecheap"),
    ("ns1-01.azure-dns.com", "azure"),
    ("ns4-01.azure-dns.info", "azure"),
    ("ns1.digitalocean.com", "digitalocean"),
    ("ns-123-a.gandi.net", "gandi"),
    ("a.dns.gandi.net", "gandi"),
    ("dns200.anycast.me", "ovh"),
    ("ns12.ovh.net", "ovh"),
    ("ns1045.ui-dns.de", "ionos"),
    ("ns1.hover.com", "hover"),
    ("curitiba.ns.porkbun.com", "porkbun"),
    ("ns1abc.name.com", "namecom"),
    ("dns1.p01.nsone.net", "ns1"),
])
def test_patterns(ns: str, key: str) -> None:
    assert [h.key for h in classify([ns]).hosts] == [key]


@pytest.mark.parametrize("ns", ["ns1.domainname.com", "ns.cloudflare.com.evil.example",
                                "cloudflare.com", "ns1.awsdns-01.co"])
def test_near_misses_do_not_match(ns: str) -> None:
    assert not classify([ns]).matched


def test_registry_is_consistent() -> None:
    keys = [h.key for h in registry.hosts()]
    assert len(keys) == len(set(keys))
    assert set(keys) >= REQUIRED_HOSTS
    for host in registry.hosts():
        for pattern in host.ns_patterns:
            # A pattern must name at least the registrable domain, never a bare suffix.
            assert len(pattern.split(".")) >= len(registry.registrable(
                pattern.replace("*", "x")).split(".")), pattern
        if host.kind is Kind.DNS_HOST:
            assert host.ns_patterns and host.ui_path, host.key
        for pattern, _ in host.ns_notes:
            assert pattern in host.ns_patterns
    assert registry.registrable("ns-1.awsdns-01.co.uk") == "awsdns-01.co.uk"
    assert registry.get("AWS").key == "route53"
    with pytest.raises(Exception, match="unknown DNS host"):
        registry.get("nope")


@pytest.mark.parametrize("key", [h.key for h in registry.hosts()])
def test_every_host_has_a_docs_page(key: str) -> None:
    page = DOCS / f"{key}.md"
    assert page.exists(), page
    text = page.read_text(encoding="utf-8")
    host = registry.get(key)
    assert text.startswith(f"# {host.name}")
    for fact in host.unconfirmed:
        assert fact in text, fact
    assert f"[{host.name}]({key}.md)" in (DOCS / "index.md").read_text(encoding="utf-8")
