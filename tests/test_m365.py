"""Microsoft 365 relay: smart host from MX on the local DNS server, connector rules, topics."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from spflint.dns.layered import build_resolver
from spflint.errors import DNSFailure
from spflint.m365 import (
    EXPLAIN_TOPICS,
    TOPIC_PROVIDER,
    ConnectorAddressError,
    RelayError,
    RelayPlan,
    connector_network,
    relay_plan,
)
from tests.dnsserver import DNSTestServer

M365 = "v=spf1 ip4:40.92.0.0/15 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all"
DYNAMIC = 10  # includes that cannot be flattened: over the lookup limit for good

ZONES: dict[str, Any] = {
    "spf.protection.outlook.com": [{"TXT": M365}],
    "_spf.google.com": [{"TXT": "v=spf1 ip4:35.190.247.0/24 ~all"}],
    "contoso.example": [{"MX": [0, "contoso-example.mail.protection.outlook.com"]}],
    "kept.example": [{"TXT": "v=spf1 include:_spf.google.com include:spf.protection.outlook.com "
                             "ip4:192.0.2.10 -all"},
                     {"MX": [0, "kept-example.mail.protection.outlook.com"]}],
    "nested.example": [{"TXT": "v=spf1 include:_spf.nested.example -all"},
                       {"MX": [0, "nested-example.mail.protection.outlook.com"]}],
    "_spf.nested.example": [{"TXT": "v=spf1 include:spf.protection.outlook.com -all"}],
    "done.example": [{"TXT": "v=spf1 ip4:62.231.75.25 include:spf.protection.outlook.com "
                             "-all"},
                     {"MX": [0, "done-example.mail.protection.outlook.com"]}],
    "dyn.example": [{"TXT": "v=spf1 include:spf.protection.outlook.com "
                            + " ".join(f"include:d{i}.dyn.example" for i in range(DYNAMIC))
                            + " -all"},
                    {"MX": [0, "dyn-example.mail.protection.outlook.com"]}],
    **{f"d{i}.dyn.example": [{"TXT": f"v=spf1 exists:%{{i}}.d{i}.dyn.example -all"}]
       for i in range(DYNAMIC)},
    "dane.example": [{"MX": [0, "dane-example.o-v1.mx.microsoft"]},
                     {"MX": [20, "dane-example.mail.protection.outlook.com"]}],
    "other.example": [{"MX": [10, "mx.other.example"]}],
    "legacy.example": [{"MX": [10, "mail.messaging.microsoft.com"]}],
    "nomx.example": [{"A": "192.0.2.1"}],
}


@pytest.fixture
def server(make_dns_server: Callable[..., DNSTestServer]) -> DNSTestServer:
    return make_dns_server(ZONES)


def plan(server: DNSTestServer, domain: str, ips: tuple[str, ...] = ("203.0.113.25",),
         cert: str | None = None) -> RelayPlan:
    resolver = build_resolver(nameservers=[server.address], timeout=1.0, dns_data_files=[],
                              offline=False)
    return asyncio.run(relay_plan(domain, resolver, ips=ips, cert_domain=cert))


def test_smart_host_is_the_mx(server: DNSTestServer) -> None:
    result = plan(server, "contoso.example")
    assert result.smart_host.host == "contoso-example.mail.protection.outlook.com"
    device = dict(result.device)
    assert device["SMTP server (smart host)"] == result.smart_host.host
    assert device["Port"] == "25" and device["TLS"].startswith("STARTTLS on")
    assert "@contoso.example" in device["From address"]


def test_no_record_gets_a_new_one_from_the_fixer(server: DNSTestServer) -> None:
    spf = plan(server, "contoso.example").spf
    assert spf.problem is None
    (record,) = spf.records
    assert record.name == "contoso.example"
    assert record.value == ("v=spf1 include:spf.protection.outlook.com ip4:203.0.113.25 "
                            "~all")
    assert spf.changes[0].kind == "create-record"


def test_spf_is_built_from_the_published_record(server: DNSTestServer) -> None:
    result = plan(server, "kept.example", ("62.231.75.25",))
    (record,) = result.spf.records
    # The other include and '-all' stay; the device's address is added before 'all'.
    assert record.value == ("v=spf1 include:_spf.google.com include:spf.protection.outlook.com "
                            "ip4:192.0.2.10 ip4:62.231.75.25 -all")
    assert [c.kind for c in result.spf.changes] == ["add-required-ip"]
    text = result.to_text()
    assert 'kept.example TXT "' + record.value + '"' in text
    assert ("spflint fix kept.example --ip 62.231.75.25 --profile m365-relay --host auto"
            in text)


def test_include_through_another_include_is_not_added_again(server: DNSTestServer) -> None:
    (record,) = plan(server, "nested.example", ("62.231.75.25",)).spf.records
    assert record.value == "v=spf1 include:_spf.nested.example ip4:62.231.75.25 -all"


def test_record_that_already_relays_is_left_alone(server: DNSTestServer) -> None:
    result = plan(server, "done.example", ("62.231.75.25",))
    assert result.spf.unchanged and result.spf.problem is None
    assert "spflint fix changes nothing" in result.to_text()


def test_unprovable_record_says_why_and_prints_none(server: DNSTestServer) -> None:
    result = plan(server, "dyn.example", ("62.231.75.25",))
    assert result.spf.records == ()
    assert result.spf.problem is not None and "limit 10" in result.spf.problem
    text = result.to_text()
    assert "spflint fix cannot prove a record" in text and result.spf.problem in text
    assert "v=spf1" not in text  # no record that was not proven
    assert result.to_dict()["spf"]["problem"] == result.spf.problem


def test_verify_names_the_device(server: DNSTestServer) -> None:
    result = plan(server, "contoso.example", ("203.0.113.25", "198.51.100.0/24"))
    assert result.verify == ("spflint check contoso.example --profile m365-relay "
                             "--ip 203.0.113.25 --require ip4:198.51.100.0/24")
    assert "  " + result.verify + "\n" in result.to_text()
    assert result.spf.command == ("spflint fix contoso.example --ip 203.0.113.25 --require "
                                  "ip4:198.51.100.0/24 --profile m365-relay --host auto")
    assert "ip4:198.51.100.0/24" in result.spf.records[0].value


def test_dane_mx_is_preferred_by_preference(server: DNSTestServer) -> None:
    result = plan(server, "dane.example")
    assert result.smart_host.host == "dane-example.o-v1.mx.microsoft"
    assert result.smart_host.style == "dane"


def test_powershell_ip_connector(server: DNSTestServer) -> None:
    (command,) = plan(server, "contoso.example", ("203.0.113.25", "198.51.100.0/24")).powershell
    assert command.startswith("New-InboundConnector ")
    assert "-ConnectorType OnPremises" in command
    assert "-SenderDomains 'contoso.example'" in command
    assert "-SenderIPAddresses 203.0.113.25,198.51.100.0/24" in command
    assert "-RestrictDomainsToIPAddresses $true" in command
    # Structure: every parameter is -Name followed by one value.
    params = re.findall(r" -(\w+) ('[^']*'|\S+)", command)
    assert len({p for p, _ in params}) == len(params)


def test_certificate_variant(server: DNSTestServer) -> None:
    result = plan(server, "contoso.example", (), cert="relay.contoso.example")
    (command,) = result.powershell
    assert "-TlsSenderCertificateName 'relay.contoso.example'" in command
    assert "-RestrictDomainsToCertificate $true" in command
    assert "-RequireTls $true" in command
    assert "SenderIPAddresses" not in command
    both = plan(server, "contoso.example", ("203.0.113.25",), cert="*.contoso.example")
    assert len(both.powershell) == 2
    outside = plan(server, "contoso.example", (), cert="relay.elsewhere.example")
    assert any("not within" in w for w in outside.warnings)


@pytest.mark.parametrize("text,why", [
    ("2001:db8::25", "IPv4 only"),
    ("203.0.112.0/23", "/24 to /32"),
    ("10.0.0.0/8", "/24 to /32"),
    ("printer.example", "not an IPv4"),
])
def test_connector_refuses(text: str, why: str) -> None:
    with pytest.raises(ConnectorAddressError, match=re.escape(why)):
        connector_network(text)


def test_connector_accepts_24_to_32() -> None:
    assert str(connector_network("203.0.113.7/24")) == "203.0.113.0/24"
    assert str(connector_network("203.0.113.7")) == "203.0.113.7/32"


def test_private_and_host_bits_warn(server: DNSTestServer) -> None:
    result = plan(server, "contoso.example", ("192.168.1.5", "203.0.113.9/24"))
    assert any("not a public address" in w for w in result.warnings)
    assert any("host bits" in w for w in result.warnings)


def test_mx_is_never_guessed(server: DNSTestServer) -> None:
    with pytest.raises(RelayError, match=r"no MX of other\.example points to Microsoft 365"):
        plan(server, "other.example")
    with pytest.raises(RelayError, match="ATTR35"):
        plan(server, "legacy.example")
    with pytest.raises(RelayError, match="has no MX records"):
        plan(server, "nomx.example")


def test_dns_failure(make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server(ZONES)
    server.set_behaviour("contoso.example", "servfail")
    with pytest.raises(DNSFailure):
        plan(server, "contoso.example")


def test_checklist_covers_what_dns_cannot_show(server: DNSTestServer) -> None:
    text = plan(server, "contoso.example").to_text()
    for needle in ("port 25", "static", "verified", "5.7.750", "smtp.office365.com"):
        assert needle in text
    data = plan(server, "contoso.example").to_dict()
    assert data["smart_host"]["port"] == 25
    assert data["connector_ips"] == ["203.0.113.25"]


def test_explain_topics() -> None:
    assert set(EXPLAIN_TOPICS) == {"5.7.64", "4.4.62", "5.7.750", "5.7.711", "5.7.57"}
    for code, page in EXPLAIN_TOPICS.items():
        assert code in page.splitlines()[0]
        assert "## Cause" in page and "## Fix" in page
    assert TOPIC_PROVIDER.lookup("550 5.7.64") == TOPIC_PROVIDER.lookup("5.7.64")
    assert TOPIC_PROVIDER.lookup("ATTR35") == TOPIC_PROVIDER.lookup("4.4.62")
    assert TOPIC_PROVIDER.lookup("SPF101") is None
    assert [k for k, _ in TOPIC_PROVIDER.table()] == list(EXPLAIN_TOPICS)


def test_plugs_into_explain() -> None:
    from spflint.cli.explain import RuleTopics, find_page, list_text

    sources = [RuleTopics(), TOPIC_PROVIDER]
    assert find_page("5.7.711", sources).startswith("# 550 5.7.711")
    assert "Microsoft 365 relay errors:" in list_text(sources)


# Microsoft's own records (shapes as published): look-alike checks must stay silent on them.
MICROSOFT_RECORDS = {
    "hotmail.com": "v=spf1 ip4:157.55.9.128/25 include:spf.protection.outlook.com "
                   "include:spf-a.outlook.com include:spf-b.outlook.com "
                   "include:spf-a.hotmail.com include:_spf-ssg-b.microsoft.com "
                   "include:_spf-ssg-c.microsoft.com ~all",
    "outlook.com": "v=spf1 include:spf2.outlook.com -all",
    "spf2.outlook.com": "v=spf1 include:spf-a.outlook.com include:spf-b.outlook.com "
                        "include:spf.protection.outlook.com include:spf-a.hotmail.com -all",
    "spf.protection.outlook.com": "v=spf1 ip4:40.92.0.0/15 ip6:2a01:111:f400::/48 "
                                  "include:spfd.protection.outlook.com -all",
}


@pytest.mark.parametrize("owner", sorted(MICROSOFT_RECORDS))
def test_lookalike_is_silent_on_microsofts_own_records(owner: str) -> None:
    from spflint.lint import lint_record

    for domain in (owner, None):  # as Microsoft's record, and as a copy in anyone's record
        codes = [f.code for f in lint_record(MICROSOFT_RECORDS[owner], domain=domain).findings]
        assert "SPF317" not in codes, (owner, domain)


def test_consumer_include_is_a_warning_only_with_exchange_online_mx(
        make_dns_server: Any) -> None:
    from click.testing import CliRunner

    from spflint.cli import main

    server = make_dns_server({
        "tenant.example": [{"TXT": "v=spf1 include:outlook.com -all"},
                           {"MX": [0, "tenant-example.mail.protection.outlook.com"]}],
        "consumer.example": [{"TXT": "v=spf1 include:outlook.com -all"},
                             {"MX": [10, "consumer-example.olc.protection.outlook.com"]}],
        "outlook.com": [{"TXT": "v=spf1 include:spf2.outlook.com -all"}],
        "spf2.outlook.com": [{"TXT": "v=spf1 ip4:40.92.0.0/15 -all"}],
    })
    for domain, expected in (("tenant.example", ["SPF227"]), ("consumer.example", [])):
        result = CliRunner().invoke(main, ["check", domain, "--nameserver", server.address,
                                           "-f", "json"])
        codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
        assert [c for c in codes if c in ("SPF227", "SPF317")] == expected, domain
