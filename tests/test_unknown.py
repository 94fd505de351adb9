"""Answered, failed, unknown: what nothing answered offline is never NXDOMAIN, and a DNS
server that never answers is reported once, not once per name."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from tests.dnsserver import DNSTestServer

RELAY = "v=spf1 include:spf.protection.outlook.com ip4:62.231.75.25 -all"
DATA = (
    "example.com: [{TXT: 'v=spf1 include:spf.protection.outlook.com ip4:62.231.75.25 -all'},"
    " {MX: [0, example-com.mail.protection.outlook.com]}]\n"
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "SPFLINT_NAMESERVER", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)




def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def as_json(result: Result) -> dict[str, Any]:
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def test_check_offline_with_partial_data(tmp_path: Path) -> None:
    data = tmp_path / "data.yml"
    data.write_text(DATA)
    result = run("check", "example.com", "--offline", "--dns-data", str(data),
                 "--ip", "62.231.75.25", "-f", "json")
    assert result.exit_code == 0, result.output  # nothing concluded, nothing failed
    doc = as_json(result)
    assert doc["diagnostics"] == []
    [coverage] = doc["coverage"]
    assert coverage["checked"] is False
    assert coverage["unknown"] == "TXT spf.protection.outlook.com"
    assert doc["lookups"]["unknown"] == 1 and doc["lookups"]["exact"] is False
    [note] = doc["notes"]
    assert note["kind"] == "unknown" and note["level"] == "info"
    assert note["items"] == ["spf.protection.outlook.com"]
    text = run("check", "example.com", "--offline", "--dns-data", str(data),
               "--ip", "62.231.75.25")
    assert "62.231.75.25: not checked (TXT spf.protection.outlook.com is not known offline)" \
        in text.output
    assert "note: 1 external name not checked offline (spf.protection.outlook.com); give " \
           "their zone data with --dns-data, or check without --offline" in text.output
    assert "NXDOMAIN" not in text.output and "permerror" not in text.output


def test_zone_data_in_scenario_shape_is_still_partial(tmp_path: Path) -> None:
    # The same names under a `zonedata:` key (the shape of the bundled demo data) list some
    # names, not the whole DNS: an include they do not list is unknown, not "no SPF record".
    data = tmp_path / "data.yml"
    data.write_text("zonedata:\n  " + DATA.replace("\n", "\n  ").rstrip() + "\n")
    result = run("check", "example.com", "--offline", "--dns-data", str(data),
                 "--ip", "62.231.75.25", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert doc["diagnostics"] == []
    [coverage] = doc["coverage"]
    assert coverage["checked"] is False and coverage["result"] != "permerror"
    text = run("check", "example.com", "--offline", "--dns-data", str(data))
    [line] = [ln for ln in text.output.splitlines() if "include:spf.protection" in ln
              and "v=spf1" not in ln]
    assert line.endswith("[not known offline]")
    assert "no SPF record" not in text.output and "NXDOMAIN" not in text.output


def test_a_whole_scenario_is_the_whole_dns(tmp_path: Path) -> None:
    # An openspf scenario (its tests beside its zone data) describes every name there is.
    data = tmp_path / "scenario.yml"
    data.write_text("zonedata:\n  " + DATA.replace("\n", "\n  ").rstrip()
                    + "\ntests: {}\n")
    result = run("check", "example.com", "--offline", "--dns-data", str(data),
                 "--ip", "62.231.75.25", "-f", "json")
    [coverage] = as_json(result)["coverage"]
    assert coverage["checked"] is True and coverage["result"] == "permerror"


def test_an_address_before_the_unknown_include_is_a_verdict(tmp_path: Path) -> None:
    data = tmp_path / "data.yml"
    data.write_text("example.com: [{TXT: 'v=spf1 ip4:62.231.75.25 include:gone.example -all'}]\n")
    result = run("check", "example.com", "--offline", "--dns-data", str(data),
                 "--ip", "62.231.75.25", "-f", "json")
    assert result.exit_code == 0
    [coverage] = as_json(result)["coverage"]
    assert (coverage["result"], coverage["checked"]) == ("pass", True)


def test_check_of_a_domain_nothing_knows_offline_is_an_input_error() -> None:
    result = CliRunner().invoke(main, ["check", "example.com", "--offline"])
    assert result.exit_code == 2
    assert "nothing is known about example.com offline" in result.output


def test_query_offline_is_not_a_verdict(tmp_path: Path) -> None:
    data = tmp_path / "data.yml"
    data.write_text(DATA)
    result = run("query", "--offline", "--dns-data", str(data), "--ip", "62.231.75.25",
                 "--sender", "printer@example.com", "-f", "json")
    doc = as_json(result)
    assert doc["result"] == "temperror"
    assert doc["unknown"] == "TXT spf.protection.outlook.com"
    assert "not known offline" in doc["problem"]


def test_fix_offline_keeps_the_relay_printer(tmp_path: Path) -> None:
    # An include nothing can resolve offline may match or not: the address after it is
    # still needed, and fix must not call it redundant.
    result = run("fix", "example.com", "--record", RELAY, "--offline", "--host", "none",
                 "-f", "json")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert [r["value"] for r in doc["records"]] == [RELAY]
    assert doc["changes"] == []


def test_fix_of_an_unknown_domain_offline_is_an_input_error() -> None:
    result = CliRunner().invoke(main, ["fix", "example.com", "--offline", "--host", "none"])
    assert result.exit_code == 2
    assert "the record of example.com is not known offline" in result.output


def test_check_says_once_that_no_server_answered(silent_server: str) -> None:
    result = run("check", "example.com", "--nameserver", silent_server, "--timeout", "1",
                 "-f", "json")
    assert result.exit_code == 3
    doc = as_json(result)
    assert [d["code"] for d in doc["diagnostics"] if d["code"] == "SPF225"] == []
    [note] = doc["notes"]
    assert note["kind"] == "dns-outage" and note["level"] == "error"
    assert note["message"].startswith(f"no DNS server answered: {silent_server} (")


def test_an_outage_is_no_verdict_on_an_address(silent_server: str) -> None:
    result = run("check", "example.com", "--ip", "62.231.75.25", "--nameserver", silent_server,
                 "--timeout", "1", "-f", "json")
    assert result.exit_code == 3
    doc = as_json(result)
    assert doc["diagnostics"] == []  # the run's network failed, not the policy
    assert doc["coverage"][0]["result"] == "temperror"
    text = run("check", "example.com", "--ip", "62.231.75.25", "--nameserver", silent_server,
               "--timeout", "1")
    assert text.exit_code == 3
    assert "no problems found" not in text.output
    assert text.output.rstrip().endswith("no verdict: see the error above")


def test_zone_says_once_that_no_server_answered(tmp_path: Path, silent_server: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    names = [f"_spf{i}.provider{i}.example" for i in range(6)]
    record = "v=spf1 " + " ".join(f"include:{n}" for n in names) + " -all"
    (tmp_path / "db.example.com").write_text(
        f'$ORIGIN example.com.\n@ TXT "{record}"\nwww TXT "v=spf1 include:{names[0]} -all"\n')
    result = run("zone", "--nameserver", silent_server, "--timeout", "1", "db.example.com")
    assert result.exit_code == 3
    out = result.output
    assert out.count("no DNS server answered") == 1, out
    assert "SPF225" not in out and "DNS failure:" not in out
    for name in names:
        assert name not in out  # one line for the server, not one per name


def test_one_broken_provider_is_not_an_outage(
        make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": "v=spf1 include:_spf.broken.example ip4:192.0.2.1 -all"}],
        "_spf.broken.example": ["SERVFAIL"],
    })
    result = run("check", "example.com", "--nameserver", server.address, "-f", "json")
    assert result.exit_code == 3
    doc = as_json(result)
    assert doc["notes"] == []
    assert [d["code"] for d in doc["diagnostics"] if d["code"].startswith("SPF2")] == ["SPF225"]


def _zone_repo(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".git").mkdir()  # a repository of its own: the zone is all it holds
    (tmp_path / "db.example.org").write_text(text)
    return tmp_path


def test_dynamic_records_are_unknown_not_missing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_zone_repo(tmp_path, (
        "$ORIGIN example.org.\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        "www DYNA geoip!prod-www\ncdn DYNC weighted!cdn\n"
        '@ TXT "v=spf1 a:www.example.org a:cdn.example.org mx:cdn.example.org -all"\n')))
    result = run("zone", "--offline", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert [d["code"] for d in doc["diagnostics"]] == ["SPF602", "SPF602"]  # skipped types
    [note] = doc["notes"]
    assert note["items"] == ["www.example.org", "cdn.example.org"]
    assert "cannot answer" in note["message"] and "lock" not in note["message"]


def test_names_below_a_zone_cut_are_unknown(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_zone_repo(tmp_path, (
        "$ORIGIN example.org.\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        "mail NS ns1.mail-host.example.\n"
        '@ TXT "v=spf1 include:_spf.mail.example.org include:gone.example.org -all"\n')))
    result = run("zone", "--offline", "-f", "json")
    doc = as_json(result)
    codes = [(d["code"], d.get("term")) for d in doc["diagnostics"]]
    # Below the delegation the parent zone does not speak: unknown, not "no SPF record";
    # a name the zone itself would hold but does not is missing for real.
    assert codes == [("SPF212", "include:gone.example.org")]
    assert doc["notes"][0]["items"] == ["_spf.mail.example.org"]
    assert result.exit_code == 1
