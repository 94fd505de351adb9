"""``spflint hosts``: the list, one host, and detection against the local DNS server."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import CliRunner

from spflint.cli import main
from spflint.hosts import registry
from tests.dnsserver import DNSTestServer


def test_list_text() -> None:
    result = CliRunner().invoke(main, ["hosts"])
    assert result.exit_code == 0, result.output
    for host in registry.hosts():
        assert host.key in result.output


def test_list_json() -> None:
    result = CliRunner().invoke(main, ["hosts", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert "spflint" in data and data["diagnostics"] == []
    assert [h["key"] for h in data["hosts"]] == [h.key for h in registry.hosts()]


def test_one_host() -> None:
    result = CliRunner().invoke(main, ["hosts", "route53"])
    assert result.exit_code == 0
    assert "AWS Route 53" in result.output and "Unconfirmed:" in result.output
    assert CliRunner().invoke(main, ["hosts", "nope"]).exit_code == 2


def test_detect(make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server({"example.org": [{"NS": "ns-cloud-b1.googledomains.com"}]})
    args = ["hosts", "--detect", "www.example.org", "--nameserver", server.address]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["detection"]["zone"] == "example.org"
    assert data["detection"]["ambiguous"] is True
    assert data["detection"]["hosts"] == ["google-cloud-dns", "squarespace"]
    text = CliRunner().invoke(main, args).output
    assert "(ambiguous)" in text


def test_detect_dns_failure_exits_3(make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server({})
    server.set_behaviour("example.org", "servfail")
    result = CliRunner().invoke(main, ["hosts", "--detect", "example.org", "--nameserver",
                                       server.address])
    assert result.exit_code == 3


def test_hosts_takes_every_output_format() -> None:
    import json

    from click.testing import CliRunner

    from spflint.cli import main

    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        result = CliRunner().invoke(main, ["hosts", "cloudflare", "-f", fmt])
        assert result.exit_code == 0, (fmt, result.output)
        outputs[fmt] = result.output
    assert outputs["text"].startswith("Cloudflare (cloudflare")
    assert json.loads(outputs["json"])["hosts"][0]["key"] == "cloudflare"
    sarif = json.loads(outputs["sarif"])
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert "::error" not in outputs["github"]  # no findings to annotate
