"""``spflint check``: the whole command against the bundled demo and the local DNS server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from spflint.cli import main
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

M365 = "v=spf1 ip4:40.92.0.0/15 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 -all"

ZONE: dict[str, Any] = {
    "example.com": [
        {"TXT": "v=spf1 include:spf.protection.outlook.com include:_spf.example.com "
                "ip4:192.0.2.10 -all"},
        {"MX": [0, "example-com.mail.protection.outlook.com"]},
    ],
    "example-com.mail.protection.outlook.com": [{"A": "52.101.1.1"}],
    "spf.protection.outlook.com": [{"TXT": M365}],
    "_spf.example.com": [{"TXT": "v=spf1 ip4:198.51.100.0/24 a:relay.example.com ~all"}],
    "relay.example.com": [{"A": "192.0.2.77"}],
    "broken.example": [{"TXT": "v=spf1 include:gone.example -all"}],
    "failing.example": ["SERVFAIL"],
    "slow.example": [{"TXT": "v=spf1 include:never.example -all"}],
    "never.example": ["TIMEOUT"],
    "xn--bcher-kva.example": [{"TXT": "v=spf1 -all"}],
}


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def server(make_dns_server: Callable[..., DNSTestServer]) -> DNSTestServer:
    return make_dns_server(zonedata_from_dict(ZONE))


def check(server: DNSTestServer, *args: str) -> Any:
    return run("check", "--nameserver", server.address, *args)


def test_demo_runs_offline_and_shows_the_tree() -> None:
    result = run("--color", "never", "check", "--demo")
    assert result.exit_code == 1
    out = result.output
    assert out.startswith("fabrikam.example: 11 DNS lookups (limit 10)")
    assert "include:_spf.google.com" in out and "(4 with what it includes)" in out
    assert "203.0.113.25: permerror" in out
    assert "add 'ip4:203.0.113.25' to the record of fabrikam.example before '~all'" in out


def test_demo_json_has_the_contract_keys() -> None:
    result = run("check", "--demo", "--profile", "m365-relay", "-f", "json")
    data = json.loads(result.output)
    for key in ("spflint", "diagnostics", "domain", "record", "lookups", "tree", "coverage",
                "requirements"):
        assert key in data
    assert data["lookups"]["total"] == 11 and data["lookups"]["limit"] == 10
    assert {"void", "void_limit"} <= set(data["lookups"])
    assert {"name", "record", "lookups", "children"} <= set(data["tree"])
    assert data["tree"]["lookups"] == 11
    assert [c["name"] for c in data["tree"]["children"]][:2] == [
        "spf.protection.outlook.com", "_spf.google.com"]
    (cov,) = data["coverage"]
    assert cov["ip"] == "203.0.113.25" and cov["result"] == "permerror"
    assert cov["matched"] is None
    mx = next(r for r in data["requirements"] if r["term"] == "MX at Exchange Online")
    assert mx["met"] is True
    relay = data["profile"]["relay"]
    assert relay["smart_host"]["host"] == "fabrikam-example.mail.protection.outlook.com"
    assert relay["smart_host"]["port"] == 25
    assert any("New-InboundConnector" in c and "203.0.113.25" in c for c in relay["powershell"])


def test_ip_that_passes_reports_term_and_path(server: DNSTestServer) -> None:
    result = check(server, "example.com", "--ip", "192.0.2.77", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (cov,) = data["coverage"]
    assert cov["result"] == "pass"
    assert cov["matched"] == "a:relay.example.com"
    assert cov["matched_in"] == "_spf.example.com"
    assert [p["term"] for p in cov["path"]] == ["include:_spf.example.com"]
    assert data["lookups"]["total"] == 3


def test_ip_that_fails_says_what_to_add(server: DNSTestServer) -> None:
    result = run("--color", "never", "check", "--nameserver", server.address, "example.com",
                 "--ip", "203.0.113.9")
    assert result.exit_code == 1
    assert "203.0.113.9: fail" in result.output
    assert "add 'ip4:203.0.113.9' to the record of example.com before '-all'" in result.output


def test_requirements_met_and_unmet(server: DNSTestServer) -> None:
    ok = check(server, "example.com", "--require", "include:spf.protection.outlook.com",
               "-f", "json")
    assert ok.exit_code == 0
    assert json.loads(ok.output)["requirements"][0]["met"] is True
    missing = check(server, "example.com", "--require", "include:sendgrid.net", "-f", "json")
    assert missing.exit_code == 1
    req = json.loads(missing.output)["requirements"][0]
    assert req == {**req, "term": "include:sendgrid.net", "met": False}


def test_m365_profile_refuses_ipv6_relay_address(server: DNSTestServer) -> None:
    result = check(server, "example.com", "--profile", "m365-relay", "--ip", "2001:db8::5",
                   "-f", "json")
    assert result.exit_code == 1
    reqs = json.loads(result.output)["requirements"]
    v6 = next(r for r in reqs if r["term"] == "ip 2001:db8::5")
    assert v6["met"] is False and "IPv4" in v6["reason"]


def test_include_without_record_is_an_error_not_a_warning(server: DNSTestServer) -> None:
    result = check(server, "broken.example", "--ip", "192.0.2.1", "-f", "json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["coverage"][0]["result"] == "permerror"


def test_servfail_is_a_dns_failure(server: DNSTestServer) -> None:
    result = check(server, "failing.example")
    assert result.exit_code == 3


def test_timeout_keeps_the_partial_tree(server: DNSTestServer) -> None:
    result = check(server, "slow.example", "--timeout", "1.5", "-f", "json")
    assert result.exit_code == 3
    data = json.loads(result.output)
    assert data["record"] == "v=spf1 include:never.example -all"


def test_idn_is_shown_both_ways(server: DNSTestServer) -> None:
    result = run("--color", "never", "check", "--nameserver", server.address, "bücher.example")
    assert result.exit_code == 0, result.output
    assert "(bücher.example is xn--bcher-kva.example)" in result.output


@pytest.mark.parametrize("args", [["check", "exa mple.com"], ["check", "example.com", "--ip",
                                                                 "300.1.1.1"], ["check"]])
def test_bad_input_exits_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--offline"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_repeated_include_counts_again_in_the_running_total(tmp_path: Any) -> None:
    data = tmp_path / "dup.yml"
    data.write_text(
        "a.example: [{TXT: 'v=spf1 include:b.example include:c.example -all'}]\n"
        "b.example: [{TXT: 'v=spf1 include:d.example -all'}]\n"
        "c.example: [{TXT: 'v=spf1 include:d.example -all'}]\n"
        "d.example: [{TXT: 'v=spf1 a mx a:x.d.example -all'}]\n"
        "x.d.example: [{A: 192.0.2.1}]\n")
    result = run("--color", "never", "check", "a.example", "--dns-data", str(data),
                 "--offline")
    lines = result.output.splitlines()
    assert lines[0].startswith("a.example: 10 DNS lookups")
    last = next(line for line in lines if "(its terms, as above)" in line)
    assert last.split()[-2:] == ["3", "10"]  # its cost, and the running total reaching 10


def test_a_loop_back_to_the_root_is_linted_once(tmp_path: Any) -> None:
    data = tmp_path / "loop.yml"
    data.write_text(
        "example.com: [{TXT: 'v=spf1 include:loop.example.com ip4:10.0.0.1 -all'}]\n"
        "loop.example.com: [{TXT: 'v=spf1 include:example.com -all'}]\n")
    result = run("check", "example.com", "--dns-data", str(data), "--offline", "-f", "json")
    codes = [d["code"] for d in json.loads(result.output)["diagnostics"]]
    assert codes.count("SPF314") == 1  # the private range, reported once
    assert "SPF219" in codes
