"""``spflint fix``: golden cases, options, failures, snapshot, splitting and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from spflint.dns.offline import OfflineResolver
from spflint.dns.zonedata import load
from spflint.evaluate import evaluate
from spflint.fix import FixError, FixOptions, fix_policy
from spflint.txt import split_text as strings_of
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

HERE = Path(__file__).resolve().parent.parent
FIXTURES = HERE / "fixtures" / "fix"
ZONE = str(FIXTURES / "zone.yml")
DEMO = str(HERE / "spflint" / "data" / "demo.yml")

GOLDEN: dict[str, list[str]] = {
    "two_records": ["--dns-data", ZONE, "two.example"],
    "ipv4_typo": ["--record", "v=spf1 ipv4:192.0.2.1 -all"],
    "eleven_lookups": ["--dns-data", ZONE, "many.example"],
    "duplicate_includes": ["--dns-data", ZONE, "dup.example"],
    "ptr": ["--dns-data", ZONE, "ptr.example"],
    # (the fixture's documentation ranges would go too: SPF314's fix is ignored here)
    "ptr_unsafe": ["--dns-data", ZONE, "ptr.example", "--unsafe", "--ignore", "SPF314"],
    "missing_all": ["--dns-data", ZONE, "noall.example", "--unsafe", "--ignore", "SPF314"],
    "m365_relay": ["--dns-data", DEMO, "fabrikam.example", "--ip", "203.0.113.25",
                   "--profile", "m365-relay"],
}


# The demo printer's address is documentation space: a relay requirement fix cannot meet.
GOLDEN_EXIT = {"m365_relay": 1}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["fix", "--offline", *args])


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_golden(case: str) -> None:
    result = run("-f", "json", *GOLDEN[case])
    assert result.exit_code == GOLDEN_EXIT.get(case, 0), result.output
    doc = json.loads(result.stdout)
    got = {key: doc[key]
           for key in ("records", "changes", "lookups", "instructions", "requirements")}
    path = FIXTURES / f"{case}.json"
    if os.environ.get("SPFLINT_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_m365_relay_authorises_the_printer() -> None:
    doc = json.loads(run("-f", "json", *GOLDEN["m365_relay"]).stdout)
    value = doc["records"][0]["value"]
    assert "ip4:203.0.113.25" in value and "include:spf.protection.outlook.com" in value
    assert doc["lookups"] <= 10
    zone = load(DEMO)
    zone.names["fabrikam.example"].records = [
        r for r in zone.names["fabrikam.example"].records if r[0] != "TXT"
    ] + [("TXT", tuple(s.encode() for s in doc["records"][0]["strings"]))]
    result = evaluate("203.0.113.25", "fabrikam.example", "scan@fabrikam.example",
                      resolver=OfflineResolver(zone))
    assert result.result == "pass"


def test_text_output() -> None:
    result = run(*GOLDEN["ipv4_typo"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == '(record) TXT "v=spf1 ip4:192.0.2.1 -all"'
    assert any(line.startswith("  unknown-mechanism [unsafe]: ipv4 → ip4") for line in lines)


def test_unrepairable_record_exits_1() -> None:
    result = run("--record", "v=spf1 frobnicate -all")
    assert result.exit_code == 1
    assert "no proven record" in result.output and "--unsafe" in result.output
    dropped = run("--record", "v=spf1 frobnicate ip4:192.0.2.1 -all", "--unsafe")
    assert dropped.exit_code == 0
    assert '"v=spf1 ip4:192.0.2.1 -all"' in dropped.output


def test_pass_all_needs_unsafe() -> None:
    result = run("--record", "v=spf1 ip4:192.0.2.1 +all")
    assert result.exit_code == 1 and "SPF301" in result.output
    fixed = run("--record", "v=spf1 ip4:192.0.2.1 +all", "--unsafe", "--ignore", "SPF314",
                "-f", "json")
    doc = json.loads(fixed.stdout)
    assert doc["records"][0]["value"] == "v=spf1 ip4:192.0.2.1 ~all"
    assert any(c["kind"] == "pass-all" and not c["safe"] for c in doc["changes"])


def test_required_ip_goes_first_when_an_earlier_term_fails_it() -> None:
    doc = json.loads(run("--record", "v=spf1 -ip4:203.0.113.0/24 ip4:192.0.2.0/24 ~all",
                         "--ip", "203.0.113.25", "-f", "json").stdout)
    assert doc["records"][0]["value"] == \
        "v=spf1 ip4:203.0.113.25 -ip4:203.0.113.0/24 ip4:192.0.2.0/24 ~all"


def test_required_ip_already_passing_changes_nothing() -> None:
    doc = json.loads(run("--record", "v=spf1 ip4:192.0.2.0/24 -all", "--ip", "192.0.2.9",
                         "--ip", "2001:db8::1", "-f", "json").stdout)
    assert doc["records"][0]["value"] == "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::1 -all"
    assert [c["kind"] for c in doc["changes"]] == ["add-required-ip"]


def test_keep_prevents_flattening_and_fails_when_nothing_else_helps() -> None:
    keep = [a for n in range(1, 10) for a in ("--keep", f"p{n}.example")]
    result = run("--dns-data", ZONE, "many.example", *keep, "--keep", "nest.example")
    assert result.exit_code == 1
    assert "11 DNS lookups" in result.output


def test_flatten_and_snapshot(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    result = run("--dns-data", ZONE, "dup.example", "--flatten", "mail.provider.example",
                 "--snapshot", str(snap), "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["records"][0]["value"] == "v=spf1 ip4:198.51.100.0/24 mx -all"
    data = json.loads(snap.read_text())
    assert data["domain"] == "dup.example" and data["format"] == 1
    entry = data["flattened"][0]
    assert entry["name"] == "mail.provider.example" and entry["ranges"] == ["ip4:198.51.100.0/24"]
    assert entry["answers"][0]["records"] == [
        "v=spf1 ip4:198.51.100.0/25 ip4:198.51.100.128/25 -all"]


def test_never_flattens_microsoft_365() -> None:
    result = run("--dns-data", DEMO, "fabrikam.example", "--flatten",
                 "spf.protection.outlook.com")
    assert result.exit_code == 1
    assert "kept and flattened" in result.output


def test_chaining_keeps_qualifiers_and_results() -> None:
    negatives = " ".join(f"-ip4:203.0.113.{i * 8}/29" for i in range(8))
    passes = " ".join(f"ip4:192.0.2.{i * 8}/30" for i in range(30))
    text = f"v=spf1 {negatives} {passes} ~all"
    zone = {"big.example": [{"TXT": text}]}
    resolver = OfflineResolver(zonedata_from_dict(zone), authoritative_all=True)
    result = asyncio.run(fix_policy(FixOptions(domain="big.example", max_size=300), resolver))
    root, *children = result.records
    assert children and all(c.name and c.name.startswith("_spf") for c in children)
    assert all(len(r.value) <= 300 for r in result.records)
    assert all(t.startswith("-ip4") or t.startswith("include:_spf") or t == "~all"
               for t in root.value.split()[1:])
    assert all(all(t.startswith("ip4:") for t in c.value.split()[1:-1]) for c in children)
    published = {"big.example": [{"TXT": list(root.strings)}]}
    for child in children:
        assert child.name is not None
        published[child.name] = [{"TXT": list(child.strings)}]
    new = OfflineResolver(zonedata_from_dict(published), authoritative_all=True)
    for ip in ("192.0.2.0", "192.0.2.3", "192.0.2.4", "192.0.2.232", "203.0.113.9", "10.0.0.1"):
        assert evaluate(ip, "big.example", "a@big.example", resolver=new).result == \
            evaluate(ip, "big.example", "a@big.example", resolver=resolver).result, ip


def test_long_record_without_domain_fails() -> None:
    passes = " ".join(f"ip4:192.0.2.{i * 8}/30" for i in range(30))
    result = run("--record", f"v=spf1 {passes} -all")
    assert result.exit_code == 1 and "give the DOMAIN" in result.output


def test_strings_split_at_term_boundaries() -> None:
    value = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(40)) + " -all"
    strings = strings_of(value)
    assert "".join(strings) == value
    assert all(len(s) <= 255 for s in strings) and len(strings) == 3
    assert all(s.endswith(" ") for s in strings[:-1])


def test_no_record_needs_a_requirement() -> None:
    zone = {"empty.example": [{"A": "192.0.2.1"}]}
    resolver = OfflineResolver(zonedata_from_dict(zone), authoritative_all=True)
    with pytest.raises(FixError, match="no SPF record"):
        asyncio.run(fix_policy(FixOptions(domain="empty.example"), resolver))
    made = asyncio.run(fix_policy(FixOptions(domain="empty.example", ips=("192.0.2.1",)),
                                  resolver))
    assert made.records[0].value == "v=spf1 ip4:192.0.2.1 ~all"


def test_usage_errors() -> None:
    assert run().exit_code == 2
    assert run("--record", "v=spf1 -all", "--require", "nonsense:").exit_code == 2


def test_over_the_test_dns_server(dns_server: DNSTestServer) -> None:
    zone: dict[str, Any] = {
        "live.example.test": [{"TXT": "v=spf1 include:inc.example.test "
                                      "include:inc.example.test ip4:192.0.2.1/32 -all"}],
        "inc.example.test": [{"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}],
    }
    dns_server.load(zonedata_from_dict(zone))
    result = CliRunner().invoke(main, ["fix", "--nameserver", dns_server.address,
                                       "live.example.test", "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # The duplicate include and the /32 go (proven safe); the address the include covers
    # today stays: dropping it holds only for today's answers.
    assert doc["records"][0]["value"] == "v=spf1 include:inc.example.test ip4:192.0.2.1 -all"
    assert {(c["kind"], c["safe"]) for c in doc["changes"]} == {("duplicate-term", True),
                                                               ("redundant-cidr", True)}
    unsafe = CliRunner().invoke(main, ["fix", "--nameserver", dns_server.address, "--unsafe",
                                       "--ignore", "SPF314", "live.example.test", "-f", "json"])
    doc = json.loads(unsafe.stdout)
    assert doc["records"][0]["value"] == "v=spf1 include:inc.example.test -all"
    assert ("remove-redundant", False) in {(c["kind"], c["safe"]) for c in doc["changes"]}


def test_text_has_no_summary_line_and_shared_formats() -> None:
    text = run("--record", "v=spf1 ipv4:192.0.2.1 -all")
    assert text.exit_code == 0, text.output
    assert "no problems found" not in text.output
    assert text.stdout.splitlines()[0].startswith("(record) TXT ")
    github = run("--format", "github", "--record", "v=spf1 ipv4:192.0.2.1 -all")
    assert github.exit_code == 0 and github.stdout == text.stdout
    sarif = run("--format", "sarif", "--fail-on", "info", "--record", "v=spf1 -all")
    assert sarif.exit_code == 0
    assert json.loads(sarif.stdout)["version"] == "2.1.0"


def test_snapshot_in_a_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.json"
    result = run("--record", "v=spf1 -all", "--snapshot", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: error: ")
    assert "Traceback" not in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_snapshot_write_error_is_an_input_error() -> None:
    result = run("--record", "v=spf1 -all", "--snapshot", "/dev/full")  # no space left
    assert result.exit_code == 2
    assert "cannot write the snapshot: /dev/full: " in result.stderr
    assert "Traceback" not in result.output


def test_timeout_is_the_limit_for_the_whole_run(
        make_dns_server: Any) -> None:
    import time

    server = make_dns_server({"slow.example.test": [{"TXT": "v=spf1 -all"}]})
    server.set_behaviour("slow.example.test", "timeout")
    server.set_behaviour("example.test", "timeout")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["fix", "slow.example.test", "--nameserver",
                                       server.address, "--timeout", "1"],
                                env={"SPFLINT_NAMESERVER": None})
    elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert elapsed < 2.5, elapsed


def test_required_include_after_terms_decided_per_connection() -> None:
    # The required include is added after an exists: whose result is per connection, and
    # offline it is itself unknown: only passes are gained, where it may apply.
    doc = json.loads(run("--record", "v=spf1 exists:%{i}.allow.example.com -all",
                         "--require", "include:spf.protection.outlook.com", "-f", "json").stdout)
    assert doc["records"][0]["value"] == \
        "v=spf1 exists:%{i}.allow.example.com include:spf.protection.outlook.com -all"
    assert [(c["kind"], c["safe"]) for c in doc["changes"]] == [("add-required-term", False)]


def test_very_long_records() -> None:
    import ipaddress

    ranges = [f"ip4:{ipaddress.IPv4Address(0x0A000000 + i * 4)}/30" for i in range(1500)]
    doc = json.loads(run("--record", "v=spf1 " + " ".join(ranges) + " -all", "-f",
                         "json").stdout)
    # Adjacent ranges merge (proven safe); the result fits one record.
    assert doc["records"][0]["value"].startswith("v=spf1 ip4:10.0.0.0/")
    assert len(doc["records"]) == 1
    huge = run("--record", "v=spf1 " + " ".join(["ip4:192.0.2.1"] * 2500) + " -all")
    assert huge.exit_code == 2
    assert "2,501 terms: fix works on records of at most 2,000" in huge.output


def test_keep_of_an_include_the_record_does_not_have_is_refused() -> None:
    # A typo in --keep would otherwise keep nothing and let the include be flattened.
    result = CliRunner().invoke(main, ["fix", "--demo", "--keep", "_spf.gogle.com",
                                       "--host", "none"])
    assert result.exit_code == 2
    assert result.stderr == ("spflint: error: --keep _spf.gogle.com: no such include in the "
                             "record of fabrikam.example; did you mean _spf.google.com?\n")
    kept = CliRunner().invoke(main, ["fix", "--demo", "--keep", "_spf.google.com",
                                     "--host", "none"])
    assert kept.exit_code in (0, 1) and "include:_spf.google.com" in kept.stdout
