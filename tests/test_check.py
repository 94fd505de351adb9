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
    "elsewhere.example": [{"TXT": "v=spf1 include:spf.protection.outlook.com -all"},
                          {"MX": [10, "mx.elsewhere.example"]}],
}
DEVICE = "62.231.75.25"  # a public address: no requirement on the address itself fails


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


# --- Microsoft 365 relay: the advice is fix's record, and check and fix agree ---------------

def fix_json(*args: str) -> Any:
    result = run("fix", "--host", "none", "-f", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def unmet(data: dict[str, Any]) -> list[str]:
    return [r["term"] for r in data["requirements"] if not r["met"]]


def spf501(data: dict[str, Any]) -> list[str]:
    return sorted(d["message"] for d in data["diagnostics"] if d["code"] == "SPF501"
                  and "[m365-relay]" in d["message"])


def test_demo_relay_advice_is_fixs_record_not_a_new_one() -> None:
    text = run("--color", "never", "check", "--demo", "--profile", "m365-relay").output
    _, fixed = fix_json("--demo", "--profile", "m365-relay")
    (record,) = fixed["records"]
    # Before: a record of its own that dropped five providers' includes.
    assert "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com ~all" not in text
    # After: the record fix proves, from the published one.
    assert f'  fabrikam.example TXT "{record["value"]}"' in text
    for include in ("_spf.google.com", "sendgrid.net", "servers.mcsv.net", "mail.zendesk.com",
                    "amazonses.com", "spf.protection.outlook.com"):
        assert f"include:{include} " in record["value"]
    assert record["value"].endswith(" ip4:203.0.113.25 ~all")
    assert ("  spflint fix fabrikam.example --ip 203.0.113.25 --profile m365-relay "
            "--host auto\n") in text
    assert ("  spflint check fabrikam.example --profile m365-relay --ip 203.0.113.25\n"
            in text)
    data = json.loads(run("check", "--demo", "--profile", "m365-relay", "-f", "json").output)
    relay = data["profile"]["relay"]
    assert relay["spf"]["records"] == fixed["records"]
    assert relay["spf"]["changes"] == fixed["changes"]
    assert relay["verify"].endswith("--ip 203.0.113.25")


def test_relay_advice_keeps_minus_all_and_the_other_include(server: DNSTestServer) -> None:
    args = ("--nameserver", server.address, "example.com", "--ip", DEVICE,
            "--profile", "m365-relay")
    result = run("--color", "never", "check", *args)
    assert result.exit_code == 1  # the device does not pass yet
    code, fixed = fix_json(*args)
    assert code == 0, fixed
    value = fixed["records"][0]["value"]
    assert value == ("v=spf1 include:spf.protection.outlook.com include:_spf.example.com "
                     f"ip4:192.0.2.10 ip4:{DEVICE} -all")
    assert f'example.com TXT "{value}"' in result.output
    assert "~all" not in result.output.split("Microsoft 365 relay for")[1]


def test_check_and_fix_agree_without_the_device_address(server: DNSTestServer) -> None:
    args = ("--nameserver", server.address, "example.com", "--profile", "m365-relay")
    checked = run("check", *args, "-f", "json")
    code, fixed = fix_json(*args)
    assert checked.exit_code == code == 1
    data = json.loads(checked.output)
    assert unmet(data) == unmet(fixed) == ["--ip"]
    assert spf501(data) == spf501(fixed) and len(spf501(fixed)) == 1
    text = run("--color", "never", "fix", "--host", "none", *args).output
    assert "no change needed" not in text
    assert "NOT MET: --ip [m365-relay]: give the relay device's static public IPv4" in text


def test_check_and_fix_agree_when_mail_is_not_at_exchange_online(
        server: DNSTestServer) -> None:
    args = ("--nameserver", server.address, "elsewhere.example", "--ip", DEVICE,
            "--profile", "m365-relay")
    data = json.loads(run("check", *args, "-f", "json").output)
    code, fixed = fix_json(*args)
    assert code == 1
    assert "MX at Exchange Online" in unmet(data)
    assert unmet(fixed) == ["MX at Exchange Online"]  # the address is added by fix
    assert [m for m in spf501(data) if "MX" in m] == spf501(fixed)
    assert data["profile"]["relay"] is None  # no relay plan without the MX


def test_check_of_the_fixed_record_reports_what_fix_reported(
        make_dns_server: Callable[..., DNSTestServer]) -> None:
    before = make_dns_server(zonedata_from_dict(ZONE))
    args = ("example.com", "--ip", DEVICE, "--profile", "m365-relay")
    _, fixed = fix_json("--nameserver", before.address, *args)
    published = {**ZONE, "example.com": [{"TXT": fixed["records"][0]["value"]},
                                          *ZONE["example.com"][1:]]}
    after = make_dns_server(zonedata_from_dict(published))
    result = run("check", "--nameserver", after.address, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["requirements"] == fixed["requirements"]
    assert data["coverage"][0]["result"] == "pass"
    assert data["profile"]["relay"]["spf"]["changes"] == []
    text = run("--color", "never", "check", "--nameserver", after.address, *args).output
    assert "spflint fix changes nothing" in text


def test_include_reached_through_another_include_is_not_added(
        make_dns_server: Callable[..., DNSTestServer]) -> None:
    zone = {**ZONE, "example.com": [{"TXT": "v=spf1 include:_spf.example.com -all"},
                                    *ZONE["example.com"][1:]],
            "_spf.example.com": [{"TXT": "v=spf1 include:spf.protection.outlook.com -all"}]}
    server = make_dns_server(zonedata_from_dict(zone))
    args = ("--nameserver", server.address, "example.com", "--ip", DEVICE,
            "--profile", "m365-relay")
    code, fixed = fix_json(*args)
    assert code == 0, fixed
    assert fixed["records"][0]["value"] == f"v=spf1 include:_spf.example.com ip4:{DEVICE} -all"
    data = json.loads(run("check", *args, "-f", "json").output)
    assert data["profile"]["relay"]["spf"]["records"] == fixed["records"]


@pytest.mark.parametrize("latency", [0.0, 0.05])
def test_each_question_is_asked_once_and_counted_once(
        make_dns_server: Callable[..., DNSTestServer], latency: float) -> None:
    # check sends the domain's first questions before the walk's modules load: the walk
    # shares them (no question twice) and its count of queries is what the server saw.
    server = make_dns_server(zonedata_from_dict(ZONE), latency=latency)
    result = check(server, "example.com", "-f", "json")
    doc = json.loads(result.stdout)
    seen = [(q.name, q.rdtype) for q in server.queries]
    assert len(seen) == len(set(seen))
    assert doc["queries"] == len(seen)
    assert ("example.com", "TXT") in seen and ("example.com", "SPF") in seen


def test_the_relay_profile_reads_the_mx_once() -> None:
    # The requirement on the MX and the relay plan share one reading of it (a resolver
    # without a cache, such as a lock or zone data layer, would be asked twice otherwise).
    import asyncio

    from spflint.check import run_check
    from spflint.config import Config
    from spflint.dns.base import Answer
    from spflint.dns.offline import OfflineResolver

    data = zonedata_from_dict({
        "relay.example": [{"TXT": "v=spf1 include:spf.protection.outlook.com -all"},
                          {"MX": [0, "relay-example.mail.protection.outlook.com"]}],
        "spf.protection.outlook.com": [{"TXT": "v=spf1 ip4:40.92.0.0/15 -all"}],
    })
    inner = OfflineResolver(data)
    asked: list[tuple[str, str]] = []

    class Counting:
        async def query(self, name: str, rdtype: str) -> Answer:
            asked.append((name, rdtype))
            return await inner.query(name, rdtype)

    result = asyncio.run(run_check("relay.example", Counting(), config=Config(),
                                   ips=["62.231.75.25"], profile="m365-relay"))
    assert result.relay is not None
    assert asked.count(("relay.example", "MX")) == 1
