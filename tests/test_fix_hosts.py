"""``spflint fix`` with DNS-host steps: detection from NS records, explicit hosts, caps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner

from spflint.cli import main
from tests.dnsserver import DNSTestServer


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_demo_detects_cloudflare_and_prints_its_steps() -> None:
    result = run("fix", "--demo", "--profile", "m365-relay", "-f", "json")
    # The printer's address is documentation space: the relay requirement check reports.
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert [r["term"] for r in data["requirements"] if not r["met"]] == ["ip 203.0.113.25"]
    assert data["detection"]["hosts"] == ["cloudflare"]
    (steps,) = data["instructions"]
    assert steps["host"] == "cloudflare" and steps["existing"] is True
    (entry,) = steps["records"]
    assert entry["value"] == data["records"][0]["value"]
    assert "ip4:203.0.113.25" in entry["value"]
    # Checking what is published checks the relay too, with the printer's address.
    assert steps["steps"][-2]["code"] == ("spflint check fabrikam.example --profile m365-relay "
                                          "--ip 203.0.113.25")


def test_named_host_and_none() -> None:
    named = run("fix", "--demo", "--host", "route53", "-f", "json")
    assert [i["host"] for i in json.loads(named.output)["instructions"]] == ["route53"]
    assert json.loads(named.output)["detection"] is None
    none = run("fix", "--demo", "--host", "none", "-f", "json")
    assert json.loads(none.output)["instructions"] == []


def test_unknown_host_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["fix", "--demo", "--host", "no-such-host"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_record_without_domain_gets_no_steps() -> None:
    result = run("fix", "--record", "v=spf1 ipv4:192.0.2.1 -all", "-f", "json")
    data = json.loads(result.output)
    assert data["instructions"] == [] and data["detection"] is None
    assert data["records"][0]["name"] is None


def test_host_cap_feeds_the_splitter(make_dns_server: Callable[..., DNSTestServer]) -> None:
    # Sixty separate /24 ranges: nothing merges, so the record must be chained to fit.
    ranges = " ".join(f"ip4:100.{i}.0.0/24" for i in range(0, 120, 2))
    server = make_dns_server({
        "example.com": [{"TXT": f"v=spf1 {ranges} -all"}, {"NS": "ns-1.digitalocean.com"}],
    })
    result = run("fix", "example.com", "--nameserver", server.address, "--max-size", "4000",
                 "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["detection"]["hosts"] == ["digitalocean"]
    assert len(data["records"]) > 1
    cap = 509  # DigitalOcean rejects longer values
    assert all(len(r["value"].encode()) <= cap for r in data["records"])
