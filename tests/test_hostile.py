"""Hostile input through the command line: a result or one clear error line, never a crash.

Every command is driven with bytes that are not UTF-8, control characters, lone surrogates,
huge numbers, deep brackets and long runs; the checks are the CLI contract: an exit code of
0, 1, 2 or 3, no traceback, no internal error, and no raw control character on the terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spflint.cli import main
from spflint.cli.common import internal_error
from tests.dnsserver import DNSTestServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "fixtures" / "zones" / "example.yml")
OFFLINE = ("--offline", "--dns-data", EXAMPLE)
# C0 controls but tab and line feed, DEL, C1 controls, bidirectional overrides and isolates,
# line and paragraph separators: none may reach the terminal raw.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
PLAIN_ENV = {"GITHUB_ACTIONS": None, "FORCE_COLOR": None, "NO_COLOR": "1", "COLUMNS": "100",
             "SPFLINT_DEBUG": None}
SOA = ("$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns hostmaster 1 2 3 4 5\n@ IN NS ns\n"
       "ns IN A 192.0.2.1\n")

PIECES = ["\x1b[31m", "\x1b]0;title\x07", "\r", "\r\n", "\n", "\x00", "\x9b", "\u202e",
          "\u2066", "\u2028", "\ud800", "\udcff", "\ufffd", "é", "9" * 5000, "1e999999",
          "[" * 2000, "{" * 2000, "(" * 500, "%{" * 50, "v=spf1 ", "ip4:", "ip6:", "include:",
          " -all", "::error::x", "##[group]", "example.com", "192.0.2.1", "a" * 3000, '"',
          "\\", "\\255"]
HOSTILE = st.lists(
    st.one_of(st.sampled_from(PIECES),
              st.text(st.characters(exclude_categories=()), max_size=12)),
    max_size=6).map("".join)
MODEST = settings(max_examples=30, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])


def run(*args: str, input: str | bytes | None = None, env: dict[str, Any] | None = None
        ) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env={**PLAIN_ENV, **(env or {})})


def run_process(args: Sequence[str | bytes], input: bytes = b"",
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real program, for what only a process has: argv bytes, a locale, a real stdin."""
    environ = {k: v for k, v in os.environ.items() if k not in PLAIN_ENV}
    environ.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "spflint", *args], input=input,
                          capture_output=True, env=environ, timeout=120, check=False)


def assert_contract(code: int, out: str, err: str) -> None:
    """Exit code 0-3, no traceback or internal error, nothing raw on the terminal, and an
    error is one line."""
    assert code in (0, 1, 2, 3), (code, err[-500:])
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    assert not RAW_CONTROL.search(out), RAW_CONTROL.search(out)
    assert not RAW_CONTROL.search(err), RAW_CONTROL.search(err)
    errors = [line for line in err.splitlines() if line.startswith("spflint: error:")]
    assert len(errors) <= 1, errors


def check_result(result: Result) -> Result:
    # A surrogate cannot be written to a real terminal: CliRunner's capture would hide that.
    out = result.stdout_bytes.decode("utf-8")
    err = result.stderr_bytes.decode("utf-8")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert_contract(result.exit_code, out, err)
    return result


def _encoded(text: str) -> bytes:
    """What a file or stdin holding ``text`` looks like: surrogates become bytes that are not
    UTF-8."""
    return text.encode("utf-8", errors="surrogatepass")


def _as_argv(text: str) -> str:
    """``text`` as a real command line can carry it: its bytes without NUL (exec cannot pass
    one), decoded the way Python decodes argv (bytes that are not UTF-8 as surrogates)."""
    return _encoded(text).replace(b"\0", b"").decode("utf-8", errors="surrogateescape")


# --------------------------------------------------------------------------- every command


COMMANDS: dict[str, list[Callable[[str], list[str]]]] = {
    "lint": [lambda t: ["lint", t], lambda t: ["lint", "--strings", t],
             lambda t: ["lint", "-f", "json", t]],
    "check": [lambda t: ["check", *OFFLINE, t],
              lambda t: ["check", *OFFLINE, "--ip", t, "example.com"],
              lambda t: ["check", *OFFLINE, "--require", t, "example.com"],
              lambda t: ["check", *OFFLINE, "--timeout", t, "example.com"],
              lambda t: ["check", *OFFLINE, "--snapshot", t, "example.com"]],
    "query": [lambda t: ["query", *OFFLINE, "--ip", "192.0.2.10", "--sender", t],
              lambda t: ["query", *OFFLINE, "--ip", t, "--sender", "a@example.com"],
              lambda t: ["query", *OFFLINE, "--ip", "192.0.2.10", "--helo", t, "--header",
                         "--receiver", t]],
    "fix": [lambda t: ["fix", "--offline", "--record", t],
            lambda t: ["fix", *OFFLINE, t],
            lambda t: ["fix", *OFFLINE, "--keep", t, "--host", t, "example.com"]],
    "diff": [lambda t: ["diff", "--offline", t, "v=spf1 -all"],
             lambda t: ["diff", "--offline", "v=spf1 a -all", t],
             lambda t: ["diff", "--offline", "--domain", t, "v=spf1 a -all", "v=spf1 -all"]],
    "explain": [lambda t: ["explain", t], lambda t: ["explain", "-f", "json", t]],
    "hosts": [lambda t: ["hosts", t], lambda t: ["hosts", "--offline", "--detect", t]],
    "global": [lambda t: ["--color", t, "lint", "v=spf1 -all"],
               lambda t: [t, "example.com"],
               lambda t: ["lint", "--" + t, "v=spf1 -all"],
               lambda t: ["lint", "-s", t, "v=spf1 -all"],
               lambda t: ["--config", t, "lint", "v=spf1 -all"]],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@MODEST
@given(data=st.data(), text=HOSTILE)
def test_hostile_arguments(command: str, data: st.DataObject, text: str) -> None:
    build = data.draw(st.sampled_from(COMMANDS[command]))
    check_result(run(*build(_as_argv(text))))


@MODEST
@given(text=HOSTILE, strings=st.booleans())
def test_hostile_lint_stdin(text: str, strings: bool) -> None:
    args = ["lint", "--strings", "-"] if strings else ["lint", "-"]
    check_result(run(*args, input=_encoded(text)))


@MODEST
@given(lines=st.lists(HOSTILE, max_size=4), csv_format=st.booleans())
def test_hostile_batch(lines: list[str], csv_format: bool) -> None:
    stdin = b"\n".join(_encoded(line) for line in lines)
    args = ["query", *OFFLINE, "--batch", "-"]
    result = check_result(run(*args, "--batch-format", "csv" if csv_format else "jsonl",
                              input=stdin))
    for line in result.stdout.splitlines():
        json.loads(line)  # every answer, error or not, is one JSON object


def _zone_runs(directory: Path, name: str, content: bytes) -> list[list[str]]:
    path = directory / name
    path.write_bytes(content)
    return [["zone", "--offline", "--no-repo", str(path)],
            ["zone", "--offline", "--no-repo", "-f", "json", str(path)],
            ["check", "--offline", "--dns-data", str(path), "example.com"],
            ["lock", "--check", "--nameserver", "127.0.0.1:9", "--timeout", "0.3",
             "--no-repo", "--lock", str(directory / "none.lock"), str(path)]]


@MODEST
@given(text=HOSTILE, where=st.sampled_from(["record", "owner", "whole", "yaml"]))
def test_hostile_zone_files(text: str, where: str) -> None:
    raw = _encoded(text)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        if where == "yaml":
            runs = _zone_runs(directory, "example.com.yaml",
                              b"'':\n  type: TXT\n  values:\n    - " + json.dumps(text).encode()
                              + b"\n    - " + raw.replace(b"\n", b" ") + b"\n")
        else:
            body = {"record": b'@ IN TXT "v=spf1 ' + raw + b' -all"\n',
                    "owner": raw + b' IN TXT "v=spf1 -all"\n', "whole": raw}[where]
            runs = _zone_runs(directory, "db.example.com", SOA.encode() + body)
        for args in runs:
            check_result(run(*args))


# --------------------------------------------------------------------------- input boundary


def test_argv_bytes_that_are_not_utf8_in_a_real_process() -> None:
    record = run_process(["lint", "-f", "json", b"v=spf1 \xff\xfe -all"])
    assert record.returncode == 2 and record.stdout == b""
    assert record.stderr.decode() == ("spflint: error: RECORD:8: byte 0xff is not UTF-8 (a "
                                      "record is ASCII text; save or paste it as plain text)\n")
    domain = run_process(["check", "--offline", b"\xed\xa0\x80.example.com"])
    assert domain.returncode == 2
    assert domain.stderr.decode().startswith("spflint: error: invalid domain name")
    assert len(domain.stderr.splitlines()) == 1
    option = run_process(["diff", "--offline", "--domain", b"\xff", "v=spf1 a -all",
                          "v=spf1 -all"])
    assert option.returncode == 2
    assert b"invalid domain name" in option.stderr and b"internal error" not in option.stderr


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_stdin_that_is_not_utf8_in_any_locale(locale: str) -> None:
    done = run_process(["lint", "-"], input=b"v=spf1 -all\nv=spf1 \xff -all\n",
                       env={"LC_ALL": locale, "LANG": locale})
    assert done.returncode == 2
    assert done.stderr.startswith(b"spflint: error: <stdin>:2:8: byte 0xff is not UTF-8")
    assert_contract(done.returncode, done.stdout.decode(), done.stderr.decode())


def test_batch_lines_that_are_not_questions_are_answered_each() -> None:
    lines = [b'{"ip": "192.0.2.10", "sender": "a@example.com"}', b"\xff\xfe",
             b'{"ip": "192.0.2.1", "sender": "\\ud800@example.com"}',
             b'{"ip": "fe80::1%eth0", "sender": "a@example.com"}', b"[" * 100_000,
             b'{"ip": ' + b"9" * 5000 + b', "sender": "a@example.com"}',
             b'{"ip": 1e999999, "sender": "a@example.com"}', b"x" * 20_000]
    result = check_result(run("query", *OFFLINE, "--batch", "-", input=b"\n".join(lines)))
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["line"] for a in answers] == list(range(1, 9))
    assert answers[0]["result"] == "pass"
    assert all("error" in a for a in answers[1:])
    assert "longer than 16384 octets" in answers[7]["error"]
    assert result.stderr.startswith("spflint: batch: 8 lines answered: 1 pass, 7 errors")


def test_config_files_that_are_hostile(tmp_path: Path) -> None:
    cases = {"deep.toml": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
             "bigint.toml": b"x = " + b"9" * 100_000 + b"\n",
             "binary.toml": bytes(range(256)),
             "types.toml": b'select = 5\nfail-on = []\n',
             "escape.toml": b'select = ["\\u001b[31mSPF1"]\n',
             "huge.toml": b'x = "' + b"a" * (2 * 1024 * 1024) + b'"\n'}
    messages = {"deep.toml": "nested too deep", "bigint.toml": "a number too long",
                "binary.toml": "not UTF-8", "types.toml": "'select' must be a list",
                "escape.toml": "unknown rule '\\x1b[31mSPF1'", "huge.toml": "too large"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = check_result(run("--config", str(path), "lint", "v=spf1 -all"))
        assert result.exit_code == 2, name
        assert messages[name] in result.stderr, (name, result.stderr)
    device = check_result(run("--config", os.devnull, "lint", "v=spf1 -all"))
    assert device.exit_code == 2 and "not a regular file" in device.stderr


def _zone_with_lock(tmp_path: Path, lock: bytes) -> Path:
    (tmp_path / "db.example.com").write_text(
        SOA + '@ IN TXT "v=spf1 include:_spf.provider.example -all"\n')
    (tmp_path / "spflint.lock").write_bytes(lock)
    return tmp_path / "db.example.com"


@pytest.mark.parametrize(("lock", "message"), [
    (b'{"format": 1, "answers": ' + b"[" * 100_000, "nested too deep"),
    (b'{"format": 1, "answers": {"x": ' + b"9" * 100_000 + b"}}", "a number too long"),
    (b"[1, 2, 3]", "not a spflint lock file of format 1"),
    (b'{"format": 1, "answers": {"_spf.provider.example": {"TXT": {"outcome": "ok", '
     b'"records": [["\\ud800"]], "ttl": 1, "date": ""}}}}', "lone surrogate"),
    (b'{"format": 1,\n "x": "\x1b"}', "spflint.lock:2:8: invalid JSON"),
    (bytes(range(256)), "not UTF-8"),
])
def test_lock_files_that_are_hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     lock: bytes, message: str) -> None:
    zone = _zone_with_lock(tmp_path, lock)
    monkeypatch.chdir(tmp_path)
    for args in (["zone", "--offline", str(zone)],
                 ["lock", "--check", "--nameserver", "127.0.0.1:9", "--timeout", "0.3",
                  str(zone)]):
        result = check_result(run(*args))
        assert result.exit_code == 2
        assert message in result.stderr, result.stderr


def test_dns_data_files_that_are_hostile(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yml"
    deep.write_text("example.com:\n  - TXT: " + "[" * 3000 + "]" * 3000 + "\n")
    result = check_result(run("check", "--offline", "--dns-data", str(deep), "example.com"))
    assert result.exit_code == 2 and "deep.yml:2: invalid YAML: " in result.stderr
    # PyYAML's words, or libyaml's ("exceeded maximum nesting depth") where it is built in.
    assert "nested too deep" in result.stderr or "nesting depth" in result.stderr
    binary = tmp_path / "binary.zone"
    binary.write_bytes(bytes(range(256)) * 40)
    result = check_result(run("check", "--offline", "--dns-data", str(binary), "example.com"))
    assert result.exit_code == 2 and "binary.zone:" in result.stderr
    for device in ("/dev/zero", "/dev/null"):
        result = check_result(run("check", "--offline", "--dns-data", device, "example.com"))
        assert result.exit_code == 2 and "regular file" in result.stderr


def test_dns_answers_with_escapes_and_bytes_that_are_not_utf8(
        make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server({
        "example.com": [{"TXT": [b"v=spf1 include:\x1b[2J.example.net \xff\x9b -all"]}],
        "evil.example.com": [{"TXT": [b"v=spf1 \xe2\x80\xae ip4:192.0.2.1 -all\r\n::error::x"]}],
    })
    for domain in ("example.com", "evil.example.com"):
        for fmt in ("text", "json", "sarif", "github"):
            result = check_result(run("check", "--nameserver", server.address, "--timeout",
                                      "10", "-f", fmt, domain))
            assert result.exit_code == 1, result.output
            if fmt == "github":
                assert not any(line.startswith("::error::x") for line in
                               result.stdout.splitlines())
    # Answer octets are shown one character each (Latin-1), their controls escaped.
    text = run("check", "--nameserver", server.address, "example.com").stdout
    assert "include:\\x1b[2J.example.net" in text
    text = run("check", "--nameserver", server.address, "evil.example.com").stdout
    assert "\\x80" in text and "-all\\x0d\\x0a::error::x" in text


# --------------------------------------------------------------------------- bounds


def test_record_larger_than_any_dns_answer_is_one_finding() -> None:
    record = "v=spf1 " + "ip4:192.0.2.1 " * 6000 + "-all"
    result = check_result(run("lint", "-f", "json", "-", input=record))
    (found,) = json.loads(result.stdout)["diagnostics"]
    assert found["code"] == "SPF202" and found["severity"] == "error"
    assert "no DNS answer can carry more than 65535" in found["message"]


def test_a_zone_record_larger_than_any_dns_answer_is_not_walked(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    # The walk reads the record from the repository too: it is not parsed there either
    # (a megabyte-sized value once took a minute and gigabytes), and no rule of the tree
    # runs on it.
    from spflint.errors import SpfSyntaxError
    from spflint.parser import parse_record

    value = "v=spf1 " + "ip4:192.0.2.1 " * 80_000 + "-all"
    with pytest.raises(SpfSyntaxError) as caught:
        parse_record(value)
    assert [p.code for p in caught.value.problems] == ["SPF202"]
    (tmp_path / "example.com.yaml").write_text(
        f"---\n'':\n  type: TXT\n  value: \"{value}\"\n")
    monkeypatch.chdir(tmp_path)
    result = check_result(run("zone", "--offline", "-f", "json", "example.com.yaml"))
    assert result.exit_code == 1
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes.count("SPF202") == 1
    assert {c for c in codes if c.startswith("SPF3")} == set()  # no rule of parsed terms


def test_a_term_of_many_bad_characters_is_reported_within_bounds() -> None:
    record = "v=spf1 " + "é" * 20_000 + " -all"
    result = check_result(run("lint", "-f", "json", record))
    found = json.loads(result.stdout)["diagnostics"]
    bad = [d for d in found if d["code"] == "SPF109"]
    assert len(bad) == 20
    assert "(19980 more in this term not listed)" in bad[-1]["message"]
    assert all(len(d["message"]) < 200 for d in bad)


def test_long_strings_of_a_long_record_are_found_in_one_pass() -> None:
    strings = " ".join('"' + "é" * 200 + '"' for _ in range(100))
    result = check_result(run("lint", "-f", "json", "--strings", '"v=spf1 " ' + strings))
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes.count("SPF201") == 100


def test_stdin_caps() -> None:
    many = check_result(run("lint", "-", input="v=spf1 -all\n" * 100_001))
    assert many.exit_code == 2 and "<stdin>:100001: more than 100,000 records" in many.stderr
    huge = check_result(run("lint", "-", input=b"a" * (16 * 1024 * 1024 + 1)))
    assert huge.exit_code == 2 and "over 16 MiB" in huge.stderr


def test_batch_line_without_end_stops_the_batch() -> None:
    result = check_result(run("query", *OFFLINE, "--batch", "-",
                              input=b"x" * (16 * 1024 * 1024 + 64 * 1024)))
    assert result.exit_code == 2
    assert "--batch line 1: no line end in 16 MiB" in result.stderr
    device = check_result(run("query", *OFFLINE, "--batch", "/dev/zero"))
    assert device.exit_code == 2 and "a device" in device.stderr


def test_octodns_depth_and_alias_caps(tmp_path: Path) -> None:
    deep = tmp_path / "deep" / "example.com.yaml"
    deep.parent.mkdir()
    deep.write_text("'':\n  type: TXT\n  value: " + "[" * 100 + "]" * 100 + "\n")
    result = check_result(run("zone", "--offline", "--no-repo", str(deep)))
    assert result.exit_code == 2 and "nested deeper than 64 levels" in result.stderr
    bomb = tmp_path / "bomb" / "example.com.yaml"
    bomb.parent.mkdir()
    values = ", ".join(f'"v=spf1 ip4:192.0.2.{i % 250} -all"' for i in range(1000))
    lines = ["'':", "  type: TXT", f"  values: &v [{values}]"]
    for i in range(30):  # 30 aliases of 1,000 entries each
        lines += [f"n{i}:", "  type: TXT", "  values: *v"]
    bomb.write_text("\n".join(lines) + "\n")
    result = check_result(run("zone", "--offline", "--no-repo", str(bomb)))
    assert result.exit_code == 2
    assert "through aliases or merge keys more than 20000 times" in result.stderr


def test_zone_reads_regular_files_only(tmp_path: Path) -> None:
    fifo = tmp_path / "db.example.com"
    os.mkfifo(fifo)
    included = tmp_path / "db.example.org"
    included.write_text(SOA.replace("example.com", "example.org") + f"$INCLUDE {fifo}\n")
    result = check_result(run("zone", "--offline", "--no-repo", str(included)))
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    snapshot = check_result(run("check", *OFFLINE, "--snapshot", str(fifo), "example.com"))
    assert snapshot.exit_code == 2 and "not a regular file" in snapshot.stderr


def test_include_is_confined_and_loops_end(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside).mkdir()
    (tmp_path / "outside" / "db.example.com").write_text(SOA + "$INCLUDE /etc/passwd\n")
    result = check_result(run("zone", "--offline", "--no-repo",
                              str(outside / "db.example.com")))
    assert result.exit_code == 2 and "/etc/passwd" in result.stderr
    assert "root:" not in result.stderr  # the file is never echoed
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "db.example.com").write_text(SOA + "$INCLUDE a.inc\n")
    (loop / "a.inc").write_text("$INCLUDE b.inc\n")
    (loop / "b.inc").write_text("$INCLUDE a.inc\n")
    result = check_result(run("zone", "--offline", "--no-repo", str(loop / "db.example.com")))
    assert result.exit_code == 2 and "makes a cycle" in result.stderr


def test_generate_of_a_huge_range_is_skipped(tmp_path: Path) -> None:
    zone = tmp_path / "db.example.com"
    zone.write_text(SOA + "$GENERATE 0-4294967295 h$ A 192.0.2.1\n"
                          '@ IN TXT "v=spf1 -all"\n')
    result = check_result(run("zone", "--offline", "--no-repo", str(zone)))
    assert result.exit_code == 0
    assert "$GENERATE of 4,294,967,296 records skipped" in result.stdout


@pytest.mark.parametrize("terms", [5000, 5001])
def test_fix_of_thousands_of_terms_ends(terms: int) -> None:
    record = "v=spf1 " + " ".join(f"ip4:10.{i // 256}.{i % 256}.1" for i in range(terms))
    result = check_result(run("fix", "--offline", "--record", record + " -all"))
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert "fix works on records of at most 2,000" in result.stderr


# --------------------------------------------------------------------------- output escaping


EVIL = "v=spf1 \x1b[31mred ip4:192.0.2.1\r\n::error::injected \u202eevil \x9b -all"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lint_output_is_escaped_in_every_format(fmt: str) -> None:
    result = check_result(run("lint", "-f", fmt, EVIL))
    assert result.exit_code == 1
    if fmt in ("json", "sarif"):
        doc = json.loads(result.stdout)
        if fmt == "json":
            assert doc["record"] == EVIL  # escaped on the wire, the same text decoded
    if fmt == "github":
        assert all(line.startswith(("::error", "::warning", "::notice"))
                   for line in result.stdout.splitlines() if line.startswith("::"))
        assert not any(line.lstrip().startswith("::error::injected")
                       for line in result.stdout.splitlines())


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_zone_output_is_escaped_in_every_format(tmp_path: Path, fmt: str) -> None:
    zone = tmp_path / "example.com.yaml"
    zone.write_text("'':\n  type: TXT\n  values:\n    - \"v=spf1 \\e[31m \\x9b -all\"\n"
                    "    - \"v=spf1 \\u202e -all\"\n    - \"v=spf1 \\ud800 -all\"\n")
    result = check_result(run("zone", "--offline", "--no-repo", "-f", fmt, str(zone)))
    assert result.exit_code == 1


def test_error_messages_are_escaped_and_short() -> None:
    unknown = check_result(run("lint", "--\x1b[31mx", "v=spf1 -all"))
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("spflint: error: no such option '--\\x1b[31mx'")
    command = check_result(run("\x1b]0;t\x07"))
    assert "no such command '\\x1b]0;t\\x07'" in command.stderr
    long = check_result(run("check", "--offline", "a" * 120_000))
    first = long.stderr.splitlines()[0]
    assert first.startswith("spflint: error: invalid domain name") and len(first) < 2500
    assert "characters)" in first
    path = check_result(run("zone", "--offline", "--no-repo", "missing\r\x1b[2J.zone"))
    assert "missing\\x0d\\x1b[2J.zone" in path.stderr


def test_error_messages_are_fenced_in_github_actions() -> None:
    result = check_result(run("explain", "::error::x", env={"GITHUB_ACTIONS": "true"}))
    assert result.exit_code == 2
    assert not any(line.startswith("spflint: error: ::error::x") for line in
                   result.stderr.splitlines()[1:-1] if not line.startswith("::"))


# --------------------------------------------------------------------------- option validation


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "86401", "1e999", ""])
def test_timeout_must_be_a_real_number_of_seconds(value: str) -> None:
    result = check_result(run("check", *OFFLINE, "--timeout", value, "example.com"))
    assert result.exit_code == 2 and "'--timeout'" in result.stderr


@pytest.mark.parametrize("args", [
    ["check", "--demo", "example.com"],
    ["check", "--offline", "--nameserver", "127.0.0.1", "example.com"],
    ["diff", "--summary", "--all", "v=spf1 -all", "v=spf1 +all"],
    ["zone", "--fix", "--diff", "x.zone"],
    ["lint", "-q", "-f", "json", "v=spf1 -all"],
    ["check", *OFFLINE, "--ip", "fe80::1%eth0", "example.com"],
])
def test_exclusive_and_invalid_options_are_refused(args: list[str]) -> None:
    result = check_result(run(*args))
    assert result.exit_code == 2 and result.stderr.startswith("spflint: error:")


@pytest.mark.parametrize(("term", "message"), [
    ("", "empty term"), ("ip4:999.1.1.1", "ip4:999.1.1.1"), ("ipv4:1.2.3.4", "ipv4"),
    ("redirect=x.example", "redirect"), ("include:", "include"),
])
def test_requirements_must_be_terms(term: str, message: str) -> None:
    result = check_result(run("check", *OFFLINE, "--require", term, "example.com"))
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(("snapshot", "message"), [
    ({"format": 2}, "'format' must be 1"),
    ({"format": 1, "date": "yesterday", "flattened": []}, "'date' must be a date"),
    ({"format": 1, "date": "2025-01-01", "flattened": [{"name": "x", "ranges": ["a"]}]},
     "is not an ip4 or ip6 range"),
    ({"format": 1, "date": "2025-01-01", "domain": "example.org", "flattened": []},
     "written for 'example.org'"),
    ({"format": 1, "date": "2025-01-01", "flattened": [{"name": "x", "ranges": []}] * 101},
     "at most 100"),
])
def test_snapshot_is_validated(tmp_path: Path, snapshot: dict[str, Any], message: str) -> None:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    result = check_result(run("check", *OFFLINE, "--snapshot", str(path), "example.com"))
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    path.write_bytes(b"[" * 100_000)
    deep = check_result(run("check", *OFFLINE, "--snapshot", str(path), "example.com"))
    assert deep.exit_code == 2 and "nested too deep" in deep.stderr


# --------------------------------------------------------------------------- the last net


def test_internal_error_is_one_escaped_line(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPFLINT_DEBUG", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    internal_error(ValueError("bad \x1b[31m\nthing " + "x" * 1000))
    err = capsys.readouterr().err
    assert err.startswith("spflint: internal error: ValueError: bad \\x1b[31m thing")
    assert err.count("\n") == 1 and len(err) < 500
    assert "SPFLINT_DEBUG=1" in err
    monkeypatch.setenv("SPFLINT_DEBUG", "1")
    with pytest.raises(ValueError):
        internal_error(ValueError("boom"))


def test_unexpected_exception_in_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import spflint.cli.explain as explain_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom \x1b[2J")

    monkeypatch.setattr(explain_module, "find_page", broken)
    result = run("explain", "SPF301")
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: internal error: RuntimeError: boom \\x1b[2J")
    assert "Traceback" not in result.stderr
    debug = run("explain", "SPF301", env={"SPFLINT_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


def test_click_usage_errors_go_through_the_same_escaping() -> None:
    exc = click.UsageError("no such option: '--\x1b[31m'")
    from spflint.cli.common import usage_error_lines

    (line, hint) = usage_error_lines(exc)
    assert "\x1b" not in line and "\\x1b[31m" in line
    assert hint.startswith("run 'spflint")
