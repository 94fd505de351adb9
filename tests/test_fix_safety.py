"""Safe fixes by construction: a fix is safe only when proven so for every DNS answer; what
``zone --fix`` applies by default never changes (so never narrows) what a record
authorises; and no fix drops a term because an earlier one errs or is unknown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from spflint.cli import main
from spflint.config import Config
from spflint.fix import FixOptions, fix_policy
from spflint.fix.apply import FixPolicy, apply_fixes
from spflint.fix.safety import proven_safe, symbolic_space
from spflint.lint import lint_record
from spflint.zones import read_zone
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

ROOT = Path(__file__).resolve().parent.parent
RELAY = "v=spf1 include:spf.protection.outlook.com ip4:62.231.75.25 -all"
ALL_STYLE = FixPolicy(style=None)  # every safe fix, style ones included


def _rule_cases() -> Iterator[tuple[str, str, str]]:
    for path in sorted((ROOT / "fixtures" / "rules").glob("SPF*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            for key in ("fail_str", "pass_str"):
                if isinstance(case.get(key), str):
                    yield data["rule"], case["name"], case[key]


def _fixture_records() -> list[tuple[str, str | None]]:
    """Every record text of the fixtures: rule cases, corpora, repositories, zone data."""
    out: list[tuple[str, str | None]] = [(text, None) for _, _, text in _rule_cases()]
    for path in sorted((ROOT / "fixtures" / "records").rglob("*.txt")):
        out.append((path.read_text(encoding="utf-8").strip(), None))
    for path in sorted((ROOT / "fixtures" / "repos").rglob("*")):
        if path.is_file() and (path.name.startswith("db.") or path.suffix in (".yaml", ".yml")):
            try:
                zone = read_zone(path)
            except Exception:
                continue  # not a zone file of its own (a fragment, a config)
            out.extend((r.text, r.name) for r in zone.spf_records)
    for path in (ROOT / "spflint" / "data" / "demo.yml", ROOT / "fixtures" / "fix" / "zone.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = data.get("zonedata", data)
        for name, entries in data.items():
            for entry in entries or []:
                if isinstance(entry, dict) and isinstance(entry.get("TXT"), str) \
                        and entry["TXT"].lower().startswith("v=spf1"):
                    out.append((entry["TXT"], name))
    return out


RECORDS = _fixture_records()


def test_there_are_fixture_records() -> None:
    assert len(RECORDS) > 300


def test_a_fix_a_rule_offers_as_safe_is_proven_safe() -> None:
    checked = 0
    for code, name, text in _rule_cases():
        for finding in lint_record(text).findings:
            fix = finding.fix
            if fix is None or not fix.safe:
                continue
            checked += 1
            assert asyncio.run(proven_safe(text, fix.apply(text), None)), (code, name, text,
                                                                           finding.code)
    assert checked > 30


def test_default_zone_fix_never_changes_what_a_record_authorises() -> None:
    changed = 0
    for text, domain in RECORDS:
        fixed, changes = asyncio.run(apply_fixes(text, Config(), ALL_STYLE, domain=domain))
        assert all(c.safe for c in changes), (text, changes)
        if fixed == text:
            continue
        changed += 1
        before = asyncio.run(symbolic_space(text, domain))
        after = asyncio.run(symbolic_space(fixed, domain))
        for version in (4, 6):
            old = before.addresses(version, lambda d: d.result == "pass")
            new = after.addresses(version, lambda d: d.result == "pass")
            assert old == new, (text, fixed)
        assert asyncio.run(proven_safe(text, fixed, domain)), (text, fixed)
    assert changed > 20  # the fixtures hold plenty of fixable records


def test_unsafe_fixes_are_not_applied_by_default() -> None:
    fixed, changes = asyncio.run(apply_fixes("v=spf1 ipv4:192.0.2.1 ptr +all", Config(),
                                             FixPolicy()))
    assert fixed == "v=spf1 ipv4:192.0.2.1 ptr +all" and changes == []
    repaired, changes = asyncio.run(apply_fixes("v=spf1 ipv4:192.0.2.1 -all", Config(),
                                                FixPolicy(repairs=True)))
    assert repaired == "v=spf1 ip4:192.0.2.1 -all"
    assert [(c.kind, c.safe) for c in changes] == [("unknown-mechanism", False)]


@pytest.fixture
def relay_server(make_dns_server: Callable[..., DNSTestServer]
                 ) -> Callable[[str], DNSTestServer]:
    def make(behaviour: str) -> DNSTestServer:
        zone: dict[str, Any] = {"example.com": [{"TXT": RELAY}]}
        if behaviour == "timeout":
            zone["spf.protection.outlook.com"] = ["TIMEOUT"]
        elif behaviour == "servfail":
            zone["spf.protection.outlook.com"] = ["SERVFAIL"]
        # "nxdomain": the resolver lies that Microsoft's name does not exist.
        return make_dns_server(zonedata_from_dict(zone))
    return make


@pytest.mark.parametrize("behaviour", ["timeout", "servfail", "nxdomain"])
@pytest.mark.parametrize("unsafe", [False, True])
def test_fix_keeps_the_relay_printer_whatever_the_include_does(
        relay_server: Callable[[str], DNSTestServer], behaviour: str, unsafe: bool) -> None:
    server = relay_server(behaviour)
    args = ["fix", "example.com", "--nameserver", server.address, "--timeout", "3",
            "--host", "none", "-f", "json"]
    result = CliRunner().invoke(main, [*args, *(["--unsafe"] if unsafe else [])])
    doc = json.loads(result.stdout)
    kept = [r["value"] for r in doc["records"]]
    assert kept and all("ip4:62.231.75.25" in value for value in kept), (result.output,
                                                                          behaviour)
    assert not any(c["kind"] == "remove-redundant" for c in doc["changes"])


def test_fix_offline_keeps_the_relay_printer() -> None:
    result = asyncio.run(fix_policy(FixOptions(domain="example.com", record=RELAY,
                                               unsafe=True), None))
    assert result.records[0].value == RELAY and result.changes == []


def test_zone_fix_keeps_the_relay_printer_offline(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    zone = tmp_path / "db.example.com"
    original = f'$ORIGIN example.com.\n@ TXT "{RELAY}"\n'
    zone.write_text(original)
    for extra in ([], ["--unsafe-fixes"]):
        result = CliRunner().invoke(main, ["zone", "--offline", "--fix", *extra,
                                           "db.example.com"])
        assert result.exit_code == 0, result.output
        assert zone.read_text() == original
