"""``spflint query`` end to end: options, output contract, batch mode, against a real DNS server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from spflint.dns.zonedata import load_yaml
from tests.dnsserver import DNSTestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "zones" / "eval-basic.yml"
RESULT_WORDS = {"pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"}


@pytest.fixture
def server(make_dns_server: Callable[..., DNSTestServer]) -> Iterator[DNSTestServer]:
    yield make_dns_server(load_yaml(FIXTURE))


def run(server: DNSTestServer | None, *args: str, stdin: str | None = None) -> Result:
    dns = ["--nameserver", server.address, "--timeout", "3"] if server is not None else []
    return CliRunner().invoke(main, ["query", *args, *dns], input=stdin,
                              env={"SPFLINT_NAMESERVER": None})


@pytest.mark.parametrize(("ip", "sender", "expected"), [
    ("192.0.2.5", "a@example.com", "pass"),
    ("203.0.113.99", "a@example.com", "fail"),
    ("203.0.113.99", "a@soft.example.org", "softfail"),
    ("203.0.113.99", "a@nowhere.example.org", "none"),
    ("203.0.113.99", "a@broken.example.org", "permerror"),
    ("203.0.113.99", "a@two.example.org", "permerror"),
    ("203.0.113.99", "a@slow.example.org", "temperror"),
])
def test_result_word_first_and_exit_zero(server: DNSTestServer, ip: str, sender: str,
                                         expected: str) -> None:
    result = run(server, "--ip", ip, "--sender", sender, "--helo", "mx.example.org")
    assert result.exit_code == 0, result.output
    assert result.output.split()[0] == expected


def test_text_details(server: DNSTestServer) -> None:
    result = run(server, "--ip", "2001:db8:1::25", "--sender", "a@example.net", "--helo",
                 "mx.example.org")
    lines = result.output.splitlines()
    assert lines[0] == "pass (2001:db8:1::25 is allowed to send for example.net)"
    assert "  matched: ip6:2001:db8:1::/48 in the record of _spf.example.com" in lines
    assert "  via: redirect=example.com (in example.net)" in lines
    assert "  via: include:_spf.example.com (in example.com)" in lines


def test_json_contract(server: DNSTestServer) -> None:
    result = run(server, "--ip", "203.0.113.99", "--sender", "a@example.com", "--helo",
                 "mx.example.org", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    for key in ("spflint", "diagnostics", "result", "explanation", "lookups", "void_lookups",
                "matched", "path"):
        assert key in data
    assert data["result"] == "fail"
    assert data["explanation"] == (
        "203.0.113.99 is not one of example.com's designated mail servers "
        "(sender a@example.com, helo mx.example.org).")
    assert data["lookups"] == 3
    assert data["matched"]["term"] == "-all"
    assert data["diagnostics"] == []


def test_header(server: DNSTestServer) -> None:
    result = run(server, "--ip", "192.0.2.5", "--sender", "a@example.com", "--helo",
                 "mx.example.org", "--receiver", "mx.receiver.example", "--header")
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "pass"
    header = lines[-1]
    assert header.startswith("Received-SPF: pass (mx.receiver.example: domain of a@example.com "
                             "designates 192.0.2.5 as permitted sender) ")
    assert 'envelope-from="a@example.com"; helo=mx.example.org;' in header
    assert "identity=mailfrom;" in header


def test_empty_sender_checks_helo(server: DNSTestServer) -> None:
    result = run(server, "--ip", "203.0.113.10", "--sender", "", "--helo", "mail.example.org",
                 "--format", "json", "--header")
    data = json.loads(result.output)
    assert (data["result"], data["domain"], data["identity"]) == (
        "pass", "mail.example.org", "helo")
    assert "identity=helo;" in data["header"]


def test_domain_option(server: DNSTestServer) -> None:
    result = run(server, "--ip", "203.0.113.5", "--sender", "a@example.com", "--helo", "h.example",
                 "--domain", "soft.example.org")
    assert result.output.startswith(
        "pass (203.0.113.5 is allowed to send for soft.example.org)")


@pytest.mark.parametrize(("args", "message"), [
    (["--ip", "192.0.2.300", "--sender", "a@example.com"], "invalid IP address"),
    (["--ip", "fe80::1%eth0", "--sender", "a@example.com"], "invalid IP address"),
    (["--ip", "192.0.2.1", "--sender", "a@exa\nmple.com"], "invalid sender"),
    (["--ip", "192.0.2.1", "--sender", "a@example.com", "--helo", "bad\rhelo"],
     "invalid HELO"),
    (["--ip", "192.0.2.1", "--sender", ""], "a sender (--sender) or a HELO name"),
    (["--sender", "a@example.com"], "an IP address is needed"),
])
def test_invalid_input_exits_2(args: list[str], message: str) -> None:
    result = run(None, *args, "--offline")
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(("args", "reason"), [
    # Malformed domains are evaluated: check_host() returns none (RFC 7208 §4.3).
    (["--sender", "a@exa mple.com"], "not a valid domain name"),
    (["--sender", "a@"], "not a valid domain name"),
    (["--sender", "lyme@A...example.com"], "not a valid domain name"),
    (["--sender", "", "--helo", "[192.0.2.1]"], "not a valid domain name"),
    (["--sender", "a@example.com", "--domain", "x..y"], "not a valid domain name"),
])
def test_malformed_domains_get_the_rfc_answer(args: list[str], reason: str) -> None:
    result = run(None, "--ip", "192.0.2.1", *args, "--offline")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("none (")
    assert reason in result.output


def test_batch(server: DNSTestServer) -> None:
    lines = [
        {"ip": "192.0.2.5", "sender": "a@example.com", "helo": "mx.example.org"},
        "this is not json",
        {"ip": "1.2.3", "sender": "a@example.com", "helo": "mx.example.org"},
        {"ip": "203.0.113.99", "sender": "a@example.com", "helo": "mx.example.org"},
        {"ip": "203.0.113.10", "sender": "", "helo": "mail.example.org", "extra": 1},
        {"ip": "198.51.100.7", "sender": "a@example.com", "helo": "mx.example.org"},
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    result = run(server, "--batch", "-", stdin=text)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o.get("result") for o in out] == ["pass", None, None, "fail", None, "pass"]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5, 6]
    assert "not JSON" in out[1]["error"]
    assert "invalid IP address" in out[2]["error"]
    assert "unknown keys: extra" in out[4]["error"]
    assert all("spflint" in o and "diagnostics" in o for o in out)
    # One resolver for the whole batch: example.com's record was fetched once.
    assert server.count("example.com", "TXT") == 1


def test_batch_from_file_with_header(server: DNSTestServer, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"ip": "192.0.2.5", "sender": "a@example.com"}) + "\n")
    result = run(server, "--batch", str(path), "--header")
    data = json.loads(result.output)
    assert data["result"] == "pass"
    assert data["header"].startswith("Received-SPF: pass ")


def test_batch_excludes_single_options(server: DNSTestServer) -> None:
    result = run(server, "--batch", "-", "--ip", "192.0.2.1", stdin="")
    assert result.exit_code == 2


def test_offline_zone_data() -> None:
    result = run(None, "--ip", "192.0.2.5", "--sender", "bob@macro.example.org",
                 "--dns-data", str(FIXTURE), "--offline")
    assert result.exit_code == 0
    assert result.output.split()[0] == "pass"


def test_overall_timeout(make_dns_server: Callable[..., DNSTestServer]) -> None:
    slow = make_dns_server(load_yaml(FIXTURE), latency=0.4)
    result = CliRunner().invoke(main, [
        "query", "--ip", "203.0.113.99", "--sender", "a@example.com", "--nameserver",
        slow.address, "--timeout", "0.5"], env={"SPFLINT_NAMESERVER": None})
    assert result.exit_code == 0
    assert result.output.split()[0] == "temperror"


def test_text_output_is_the_result_without_a_summary_line(server: DNSTestServer) -> None:
    result = run(server, "--ip", "192.0.2.5", "--sender", "a@example.com", "--helo",
                 "mx.example.org")
    assert result.exit_code == 0
    assert result.output.split()[0] == "pass"
    assert "no problems found" not in result.output


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_shared_formats(server: DNSTestServer, fmt: str) -> None:
    result = run(server, "--ip", "192.0.2.5", "--sender", "a@example.com", "--helo",
                 "mx.example.org", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "sarif":
        assert json.loads(result.stdout)["runs"][0]["results"] == []
    else:
        assert result.stdout.split()[0] == "pass"


def test_github_actions_chooses_github(server: DNSTestServer) -> None:
    result = CliRunner().invoke(main, [
        "query", "--ip", "192.0.2.5", "--sender", "a@example.com", "--nameserver",
        server.address], env={"SPFLINT_NAMESERVER": None, "GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0
    assert result.stdout.split()[0] == "pass"
    assert "no problems found" not in result.stdout


def test_unknown_rule_in_select_is_an_input_error() -> None:
    result = run(None, "--ip", "192.0.2.5", "--sender", "a@example.com", "--offline",
                 "--select", "SPF999")
    assert result.exit_code == 2


def test_batch_line_not_utf8(server: DNSTestServer, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    good = json.dumps({"ip": "192.0.2.5", "sender": "a@example.com"}).encode()
    path.write_bytes(b'{"ip": "192.0.2.5", "sender": "a@ex\xe9mple.com"}\n' + good + b"\n")
    result = run(server, "--batch", str(path))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["line"] == 1 and "not UTF-8" in out[0]["error"]
    assert out[1]["result"] == "pass"
