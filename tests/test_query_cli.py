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
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("result") for o in out] == ["pass", None, None, "fail", None, "pass"]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5, 6]
    assert "not JSON" in out[1]["error"]
    assert "invalid IP address" in out[2]["error"]
    assert "unknown keys: extra" in out[4]["error"]
    assert all("spflint" in o and "diagnostics" in o for o in out)
    # One resolver for the whole batch: example.com's record was fetched once.
    assert server.count("example.com", "TXT") == 1
    # The summary is on standard error: standard output is one JSON line per question.
    assert result.stderr == ("spflint: batch: 6 lines answered: 2 pass, 1 fail, 3 errors"
                             " (lines 2, 3, 5)\n")


def test_batch_from_file_with_header(server: DNSTestServer, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"ip": "192.0.2.5", "sender": "a@example.com"}) + "\n")
    result = run(server, "--batch", str(path), "--header")
    data = json.loads(result.stdout)
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


def _batch_out(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_batch_hostile_lines_get_an_error_each(server: DNSTestServer) -> None:
    good = json.dumps({"ip": "192.0.2.5", "sender": "a@example.com"})
    lines = [
        good,
        '{"ip": "192.0.2.5", "sender": "\\ud800@example.com"}',  # a lone surrogate
        '{"ip": "192.0.2.5", "sender": "a@example.com", "\\udc80": 1}',
        '{"ip": ' + "9" * 5000 + "}",  # past Python's digit limit for int()
        "[" * 10_000,  # nested past the recursion limit
        '{"ip": "fe80::1%eth0", "sender": "a@example.com"}',  # a scoped IPv6 address
        '{"ip": "' + "1" * 300 + '", "sender": "a@example.com"}',
        "{" + "x" * 40_000 + "}",  # longer than the line cap
        good,
    ]
    out = _batch_out(run(server, "--batch", "-", stdin="\n".join(lines) + "\n"))
    assert [o["line"] for o in out] == list(range(1, 10))
    assert out[0]["result"] == out[8]["result"] == "pass"
    errors = [str(o.get("error")) for o in out[1:8]]
    assert "it is not valid UTF-8 text" in errors[0]
    assert errors[1].startswith("unknown keys: ")
    assert errors[2] == "not a question: a JSON number too long to read"
    assert errors[3] == "not a question: JSON nested too deeply"
    assert errors[4] == "invalid IP address 'fe80::1%eth0'"
    assert errors[5].startswith("invalid IP address '111") and "(300 characters)" in errors[5]
    assert len(errors[5]) < 120
    assert errors[6] == "line longer than 16384 octets"


def test_batch_line_cap_keeps_memory_bounded() -> None:
    import io

    from spflint.cli.query import bounded_lines

    stream = io.BytesIO(b"a" * 50 + b"\n" + b"b" * 1000 + b"\nc\n" + b"d" * 100)
    assert list(bounded_lines(stream, limit=64)) == [b"a" * 50 + b"\n", None, b"c\n", None]
    exact = io.BytesIO(b"e" * 64 + b"\n" + b"f" * 64)
    assert list(bounded_lines(exact, limit=64)) == [b"e" * 64 + b"\n", b"f" * 64]


def test_batch_csv_by_suffix(server: DNSTestServer, tmp_path: Path) -> None:
    path = tmp_path / "connections.csv"
    path.write_bytes(
        "\ufeffip,sender,helo\r\n"  # a spreadsheet's export: byte order mark, CR LF
        "192.0.2.5,a@example.com,mx.example.org\r\n"
        '203.0.113.10,"",mail.example.org\r\n'  # an empty sender: the HELO identity
        "\r\n"
        '"192.0.2.5,a@example.com\r\n'
        "192.0.2.5,a@example.com\r\n"
        "203.0.113.99,a@example.com,\r\n".encode())
    result = run(server, "--batch", str(path))
    out = _batch_out(result)
    assert [o["line"] for o in out] == [2, 3, 5, 6, 7]
    assert [o.get("result") for o in out] == ["pass", "pass", None, None, "fail"]
    assert out[1]["identity"] == "helo" and out[1]["sender"] == ""
    assert out[2]["error"] == "not a CSV row: a quoted field is not closed"
    assert out[3]["error"] == "expected 3 CSV fields (ip,sender,helo), found 2"
    assert out[4]["helo"] is None
    assert "2 pass, 1 fail, 2 errors (lines 5, 6)" in result.stderr


def test_batch_csv_format_option_and_columns(server: DNSTestServer) -> None:
    text = "helo,IP,domain\nmx.example.org,192.0.2.5,example.com\n"
    out = _batch_out(run(server, "--batch", "-", "--batch-format", "csv", stdin=text))
    assert out[0]["result"] == "pass" and out[0]["identity"] == "helo"
    # A .csv name read as JSON lines when asked.
    as_json = run(server, "--batch", "-", "--batch-format", "jsonl", stdin=text)
    assert "not JSON" in _batch_out(as_json)[0]["error"]


@pytest.mark.parametrize(("header", "message"), [
    ("ip,sender,port", "<stdin>:1: unknown CSV column 'port'"),
    ("sender,helo", "<stdin>:1: the CSV header row needs an ip column"),
    ("ip,domain", "<stdin>:1: the CSV header row needs an ip column and a sender or helo"),
    ("ip,sender,ip", "<stdin>:1: a CSV column is named twice"),
])
def test_batch_csv_bad_header_is_an_input_error(header: str, message: str) -> None:
    result = run(None, "--offline", "--batch", "-", "--batch-format", "csv",
                 stdin=f"{header}\n192.0.2.5,a@example.com\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_batch_empty_input() -> None:
    result = run(None, "--offline", "--batch", "-", "--batch-format", "csv", stdin="\n\n")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "spflint: batch: 0 lines answered\n"


def test_batch_format_needs_batch() -> None:
    result = run(None, "--offline", "--ip", "192.0.2.5", "--sender", "a@example.com",
                 "--batch-format", "csv")
    assert result.exit_code == 2
    assert "--batch-format is for --batch" in result.stderr


def test_surrogates_in_options_are_refused() -> None:
    # Bytes of an argument that are not UTF-8 reach the program as lone surrogates.
    result = run(None, "--offline", "--ip", "192.0.2.5", "--sender", "a\udcff@example.com")
    assert result.exit_code == 2
    assert "not valid UTF-8 text" in result.stderr


def test_an_empty_domain_is_refused() -> None:
    result = CliRunner().invoke(main, ["query", "--offline", "--ip", "192.0.2.1", "--sender",
                                       "a@example.com", "--domain", ""])
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: error: an empty domain: name the domain")
