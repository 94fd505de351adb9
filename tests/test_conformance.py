"""The openspf RFC 7208 test suite, through the offline resolver and through live DNS."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from spflint.dns.base import NameData, ZoneData
from spflint.dns.live import LiveResolver
from spflint.dns.names import to_dns_name
from spflint.dns.offline import OfflineResolver
from spflint.evaluate import SpfResult, check_host, identity
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

# The openspf suite is reference data kept outside the repository (BSD licence); point
# SPFLINT_CONFORMANCE_SUITE at another copy to run it from elsewhere.
SUITE = Path(os.environ.get(
    "SPFLINT_CONFORMANCE_SUITE",
    Path(__file__).resolve().parents[2] / "shared" / "conformance" / "rfc7208-tests.yml"))

# The suite expects upper-case nibbles for %{ir} of an IPv6 address; RFC 7208 §7.4's own
# example expands 2001:db8::cb01 in lower case, which spflint follows. Compared caselessly.
CASELESS_EXPLANATION = {"v-macro-ip6"}


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    if not SUITE.exists():
        return []
    cases = []
    with SUITE.open(encoding="utf-8") as handle:
        for scenario in yaml.safe_load_all(handle):
            for name, test in scenario["tests"].items():
                cases.append((scenario["description"], test | {"name": name},
                              scenario["zonedata"]))
    return cases


CASES = _load()
IDS = [f"{scenario}::{test['name']}" for scenario, test, _ in CASES]


def test_suite_is_found_and_complete() -> None:
    if not SUITE.exists():
        pytest.skip(f"the RFC 7208 suite is not at {SUITE} (set SPFLINT_CONFORMANCE_SUITE)")
    assert len(CASES) == 203


def suite_zonedata(raw: dict[str, Any]) -> ZoneData:
    """Zone data as the suite's drivers serve it: SPF entries also as TXT unless TXT is listed.

    ``TXT: NONE`` lists a TXT entry with no record, so the name gets no TXT at all.
    """
    zone = ZoneData(source="rfc7208-tests")
    for name, entries in raw.items():
        kept: list[Any] = []
        has_txt = False
        for entry in entries or []:
            if isinstance(entry, dict) and "TXT" in entry:
                has_txt = True
                if entry["TXT"] == "NONE":
                    continue
            if isinstance(entry, dict) and entry.get("SPF") == "NONE":
                continue
            kept.append(entry)
        part = zonedata_from_dict({name: kept})
        for key, data in part.names.items():
            target = zone.names.setdefault(key, NameData())
            target.records.extend(data.records)
            if not has_txt:
                target.records.extend(("TXT", v) for k, v in data.records if k == "SPF")
            target.timeout = target.timeout or data.timeout
    return zone


def wire_safe(zone: ZoneData) -> ZoneData:
    """The data with each TXT/SPF record of no strings as one empty string.

    A TXT record of no character-strings cannot be sent (the suite's null.example.com has one);
    one empty string is the nearest record a server can publish.
    The test server compares question names in presentation form (a space is ``\\032``), so
    a name with such characters is also listed under that spelling.
    """
    for data in zone.names.values():
        data.records = [
            (kind, (b"",) if kind in ("TXT", "SPF") and value == () else value)
            for kind, value in data.records
        ]
    for name in list(zone.names):
        spelled = to_dns_name(name).to_text(omit_final_dot=True).lower()
        if spelled != name:
            zone.names.setdefault(spelled, zone.names[name])
    return zone


def _expect(test: dict[str, Any]) -> list[str]:
    result = test["result"]
    return list(result) if isinstance(result, list) else [result]


async def _run(test: dict[str, Any], resolver: Any) -> SpfResult:
    domain, sender = identity(test["mailfrom"], test["helo"])
    return await check_host(test["host"], domain, sender, resolver=resolver, helo=test["helo"],
                            receiver="unknown")


def _verify(test: dict[str, Any], got: SpfResult) -> None:
    assert got.result in _expect(test), (got.result, got.problem)
    if "explanation" not in test:
        return
    want = test["explanation"]
    if want == "DEFAULT":
        assert got.explanation is None
    elif test["name"] in CASELESS_EXPLANATION:
        assert (got.explanation or "").lower() == want.lower()
    else:
        assert got.explanation == want


@pytest.fixture(scope="module")
def suite_server() -> Iterator[DNSTestServer]:
    with DNSTestServer() as server:
        yield server


needs_suite = pytest.mark.skipif(not CASES, reason=f"conformance suite not found at {SUITE}")


@needs_suite
@pytest.mark.parametrize(("scenario", "test", "zonedata"), CASES, ids=IDS)
def test_offline(scenario: str, test: dict[str, Any], zonedata: dict[str, Any]) -> None:
    resolver = OfflineResolver(suite_zonedata(zonedata), authoritative_all=True)
    _verify(test, asyncio.run(_run(test, resolver)))


@needs_suite
@pytest.mark.parametrize(("scenario", "test", "zonedata"), CASES, ids=IDS)
def test_live(
    scenario: str, test: dict[str, Any], zonedata: dict[str, Any], suite_server: DNSTestServer
) -> None:
    suite_server.load(wire_safe(suite_zonedata(zonedata)))
    resolver = LiveResolver([(suite_server.host, suite_server.port)], timeout=0.3, retries=0)
    _verify(test, asyncio.run(_run(test, resolver)))


def test_suite_is_complete() -> None:
    if not CASES:
        pytest.skip(f"conformance suite not found at {SUITE}")
    assert len(CASES) == 203


@needs_suite
@pytest.mark.parametrize(("scenario", "test", "zonedata"), CASES, ids=IDS)
def test_command_line(scenario: str, test: dict[str, Any], zonedata: dict[str, Any],
                      suite_server: DNSTestServer) -> None:
    """The whole suite through ``spflint query``: whatever the RFC evaluates, the command
    evaluates (odd senders and HELO names included) and prints the RFC's answer."""
    import json

    from click.testing import CliRunner

    from spflint.cli import main

    suite_server.load(wire_safe(suite_zonedata(zonedata)))
    args = ["query", "--nameserver", suite_server.address, "--timeout", "1", "--ip",
            test["host"], "--sender", test["mailfrom"], "--helo", test["helo"], "-f", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    got = SpfResult(result=doc["result"], domain=doc["domain"], ip=doc["ip"],
                    sender=doc["sender"], explanation=doc["explanation"],
                    problem=doc["problem"])
    _verify(test, got)
