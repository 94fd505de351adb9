"""Every fixture repository, checked the three ways CI meets it: offline, with a network that
answers nothing, and against a real DNS server holding the providers' records.

Offline a name outside the repository is unknown, never missing; without a network the run
says once that no server answered (exit 3) and reports nothing as absent; with answers the
same records get full verdicts.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from spflint.dns.zonedata import load_yaml
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

ROOT = Path(__file__).resolve().parent.parent
REPOS = ROOT / "fixtures" / "repos"
LAYOUTS = sorted(p.name for p in REPOS.iterdir() if p.is_dir())
# Rules that say a DNS answer is missing or failed: never raised from an unknown answer.
ABSENCE_RULES = {"SPF210", "SPF211", "SPF212", "SPF213", "SPF218", "SPF225"}
EXTRA_PROVIDERS = {
    "aspmx.l.google.com": [{"A": "142.250.27.26"}, {"AAAA": "2a00:1450:4025:c03::1a"}],
    "example-com.mail.protection.outlook.com": [{"A": "52.101.68.12"}],
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "SPFLINT_NAMESERVER", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)




@pytest.fixture
def providers(make_dns_server: Callable[..., DNSTestServer]) -> DNSTestServer:
    """The providers' records of the bundled demo data, served over UDP and TCP."""
    data = load_yaml(ROOT / "spflint" / "data" / "demo.yml")
    extra = zonedata_from_dict(EXTRA_PROVIDERS)
    data.names.update(extra.names)
    server: DNSTestServer = make_dns_server(data)
    return server


def checkout(tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A git work tree of the layout as the working directory; the files pre-commit would
    pass to the hook (every tracked text file)."""
    target = tmp_path / layout
    shutil.copytree(REPOS / layout, target)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    monkeypatch.chdir(target)
    listed = subprocess.run(["git", "ls-files"], check=True, capture_output=True, text=True,
                            cwd=target).stdout.split()
    return sorted(listed)


def zone(*args: str) -> Result:
    return CliRunner().invoke(main, ["zone", "-f", "json", *args], catch_exceptions=False)


def document(result: Result) -> dict[str, Any]:
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def defined_names(doc: dict[str, Any]) -> set[str]:
    return {record["name"] for item in doc["files"] for record in item["records"]}


def codes(doc: dict[str, Any]) -> list[tuple[str, str | None, int | None]]:
    return sorted((d["code"], d.get("file"), d.get("line")) for d in doc["diagnostics"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_offline_unknown_is_never_missing(tmp_path: Path, layout: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    files = checkout(tmp_path, layout, monkeypatch)
    hook = zone("--offline", *files)
    repo = zone("--offline")
    for result in (hook, repo):
        assert result.exit_code in (0, 1), result.output
        doc = document(result)
        assert doc["dns_failures"] == []
        unknown = {u["name"] for u in doc["unknown"]}
        for finding in doc["diagnostics"]:
            if finding["code"] in ABSENCE_RULES:
                # A name reported absent is one the repository itself answers for.
                target = finding.get("extra", {}).get("target", finding.get("domain"))
                assert target not in unknown, finding
        notes = [n for n in doc["notes"] if n["kind"] == "unknown"]
        if unknown:
            [note] = notes
            assert set(note["items"]) <= unknown
            assert note["level"] == "info"
        else:
            assert notes == []
    # The hook's file list and the whole-repository run see the same records.
    assert codes(document(hook)) == codes(document(repo))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_without_a_network_one_outage_and_nothing_absent(
        tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch,
        silent_server: str) -> None:
    checkout(tmp_path, layout, monkeypatch)
    offline = document(zone("--offline"))
    result = zone("--nameserver", silent_server, "--timeout", "1")
    doc = document(result)
    if offline["unknown"]:
        assert result.exit_code == 3, result.output
        outages = [n for n in doc["notes"] if n["kind"] == "dns-outage"]
        assert len(outages) == 1 and silent_server in outages[0]["message"]
        # What the repository answers is still checked; nothing is called absent.
        assert codes(doc) == codes(offline)
    else:
        # Nothing leaves the repository: no question is sent, the run is the offline one.
        assert result.exit_code == (1 if offline["diagnostics"] and any(
            d["severity"] == "error" for d in offline["diagnostics"]) else 0)
        assert codes(doc) == codes(offline)
        assert [n for n in doc["notes"] if n["kind"] == "dns-outage"] == []


def spf_records(doc: dict[str, Any]) -> dict[tuple[str, str, int], str]:
    """Every SPF record of a run: (file, name, n-th record of that name in the file) -> text."""
    out: dict[tuple[str, str, int], str] = {}
    for item in doc["files"]:
        for record in item["records"]:
            n = sum(1 for key in out if key[:2] == (item["path"], record["name"]))
            out[(item["path"], record["name"], n)] = record["record"]
    return out


@pytest.mark.parametrize("network", ["offline", "silent"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_automatic_fixes_never_change_what_a_record_authorises(
        tmp_path: Path, layout: str, network: str, monkeypatch: pytest.MonkeyPatch,
        silent_server: str) -> None:
    """``zone --fix`` (safe fixes only) on each layout, offline and with a network that does
    not answer: every record it rewrites gives every address the same result as before under
    every possible DNS answer, so no sender it authorised is dropped."""
    from spflint.fix.safety import proven_safe

    checkout(tmp_path, layout, monkeypatch)
    args = ("--offline",) if network == "offline" else (
        "--nameserver", silent_server, "--timeout", "1")
    before = spf_records(document(zone("--offline")))
    fixed = zone("--fix", *args)
    assert fixed.exit_code in (0, 1, 3), fixed.output
    after = spf_records(document(zone("--offline")))
    assert after.keys() == before.keys()
    changed = {key for key in before if before[key] != after[key]}
    for key in changed:
        assert asyncio.run(proven_safe(before[key], after[key], key[1])), (before[key],
                                                                            after[key])
    if layout == "m365-relay":
        # The relay printer's address stays, whatever the include may cover; the duplicate
        # include goes (the first one decides, whatever DNS answers).
        assert after[("zones/db.example.com", "example.com", 0)] == before[
            ("zones/db.example.com", "example.com", 0)]
        assert after[("zones/db.example.com", "news.example.com", 0)] == (
            "v=spf1 include:servers.mcsv.net include:sendgrid.net ~all")


def test_unsafe_fixes_offline_keep_the_relay_printer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opting in to unsafe fixes still concludes nothing from an include nobody could answer.
    checkout(tmp_path, "m365-relay", monkeypatch)
    assert zone("--fix", "--unsafe-fixes", "--offline").exit_code in (0, 1)
    after = spf_records(document(zone("--offline")))
    terms = set(after[("zones/db.example.com", "example.com", 0)].split())
    # Both stay (the address may move first, so that it passes even if the include fails).
    assert {"ip4:62.231.75.25", "include:spf.protection.outlook.com", "-all"} <= terms


def test_microsoft_365_relay_repository_with_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, providers: DNSTestServer) -> None:
    checkout(tmp_path, "m365-relay", monkeypatch)
    offline = document(zone("--offline"))
    [ip_requirement, term_requirement] = offline["requirements"]
    assert (ip_requirement["met"], ip_requirement["checked"]) == (False, False)
    assert ip_requirement["result"] is None  # not a DNS result: nothing was asked
    assert term_requirement["met"] is True
    result = zone("--nameserver", providers.address)
    doc = document(result)
    assert result.exit_code == 1, result.output
    assert doc["unknown"] == [] and doc["dns_failures"] == []
    found = {(d["code"], d.get("domain")) for d in doc["diagnostics"]}
    # example.org: six includes, a and mx are 11 lookups: a permerror for every receiver.
    assert ("SPF210", "example.org") in found
    assert not any(domain == "example.com" for _, domain in found)
    [ip_requirement, _] = doc["requirements"]
    assert (ip_requirement["met"], ip_requirement["checked"]) == (True, True)
    assert ip_requirement["result"] == "pass"
