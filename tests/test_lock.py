"""``spflint lock``: recording external answers, answering from the lock, --check diffs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from spflint.dns.base import Outcome
from spflint.zones.lock import LockedAnswer, LockFile, compare, dumps, loads, render_changes
from tests.dnsserver import DNSTestServer

ZONE = ('$ORIGIN example.com.\n@ IN TXT "v=spf1 include:_spf.provider.test'
        ' include:_spf.example.com -all"\n_spf IN TXT "v=spf1 a:relay.example.com -all"\n'
        'relay IN A 93.184.216.34\n')
PROVIDER = {
    "_spf.provider.test": [{"TXT": "v=spf1 ip4:93.184.216.0/24 include:_net.provider.test ~all"}],
    "_net.provider.test": [{"TXT": "v=spf1 ip6:2606:2800:220::/48 ~all"}],
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("GITHUB_ACTIONS", "SPFLINT_NAMESERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "db.example.com").write_text(ZONE)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_lock_records_external_names_only(workdir: Path,
                                          make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server(PROVIDER)
    result = run("lock", "--nameserver", server.address, "db.example.com")
    assert result.exit_code == 0, result.output
    assert "wrote spflint.lock: 2 external names (2 with SPF)" in result.output
    text = (workdir / "spflint.lock").read_text()
    doc: dict[str, Any] = json.loads(text)
    assert doc["format"] == 1
    assert sorted(doc["answers"]) == ["_net.provider.test", "_spf.provider.test"]
    txt = doc["answers"]["_spf.provider.test"]["TXT"]
    assert txt["outcome"] == "ok" and txt["ttl"] == 300 and txt["date"].endswith("Z")
    assert txt["records"] == [["v=spf1 ip4:93.184.216.0/24 include:_net.provider.test ~all"]]
    assert set(doc["answers"]["_spf.provider.test"]) == {"TXT", "A", "AAAA", "MX"}
    assert doc["answers"]["_spf.provider.test"]["A"]["outcome"] == "nodata"
    # Relocking unchanged answers gives the same bytes (dates kept).
    assert run("lock", "--nameserver", server.address, "db.example.com").exit_code == 0
    assert (workdir / "spflint.lock").read_text() == text


def test_zone_answers_from_the_lock_offline(workdir: Path,
                                            make_dns_server: Callable[..., DNSTestServer]
                                            ) -> None:
    (workdir / "pyproject.toml").write_text(
        '[tool.spflint.require]\n"example.com" = { ip = ["2606:2800:220::1", "93.184.216.34"]'
        ' }\n')
    without = run("zone", "--offline", "--format", "json", "db.example.com")
    # Offline without the lock the provider's include is unknown: the requirements are not
    # checked (no verdict either way), which one note says; the exit code is not affected.
    assert without.exit_code == 0, without.output
    doc = json.loads(without.stdout)
    assert [r["checked"] for r in doc["requirements"]] == [False, False]
    assert [n["kind"] for n in doc["notes"]] == ["unknown"]
    assert doc["notes"][0]["items"] == ["_spf.provider.test"]
    assert doc["diagnostics"] == []
    server = make_dns_server(PROVIDER)
    assert run("lock", "--nameserver", server.address, "db.example.com").exit_code == 0
    server.stop()
    result = run("zone", "--offline", "--format", "json", "db.example.com")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lock"] == "spflint.lock"
    assert [r["met"] for r in doc["requirements"]] == [True, True]
    assert doc["notes"] == []
    unlocked = run("zone", "--offline", "--no-lock", "db.example.com")
    assert unlocked.exit_code == 0
    assert "note: 1 external name not checked offline (_spf.provider.test)" in unlocked.output
    assert "2 requirements not checked" in unlocked.output


def test_lock_check_reports_a_changed_provider(workdir: Path,
                                               make_dns_server: Callable[..., DNSTestServer]
                                               ) -> None:
    server = make_dns_server(PROVIDER)
    assert run("lock", "--nameserver", server.address, "db.example.com").exit_code == 0
    same = run("lock", "--check", "--nameserver", server.address, "db.example.com")
    assert same.exit_code == 0 and "up to date" in same.output
    before = (workdir / "spflint.lock").read_text()
    changed = make_dns_server({
        "_spf.provider.test": [{"TXT": "v=spf1 ip4:93.184.216.0/24 include:_new.provider.test"
                                       " ~all"}],
        "_new.provider.test": [{"TXT": "v=spf1 ip4:198.51.100.0/24 ~all"}],
    })
    result = run("lock", "--check", "--nameserver", changed.address, "db.example.com")
    assert result.exit_code == 1
    assert result.output == (
        "spflint.lock is out of date (3 change(s)):\n"
        "- _net.provider.test (no longer needed)\n"
        "+ _new.provider.test (now needed)\n"
        "~ _spf.provider.test TXT\n"
        '-   ["v=spf1 ip4:93.184.216.0/24 include:_net.provider.test ~all"]\n'
        '+   ["v=spf1 ip4:93.184.216.0/24 include:_new.provider.test ~all"]\n'
    )
    assert (workdir / "spflint.lock").read_text() == before  # --check writes nothing


def test_lock_dns_failure_exit_3(workdir: Path,
                                 make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server(PROVIDER)
    server.set_behaviour("_net.provider.test", "servfail")
    result = run("lock", "--nameserver", server.address, "db.example.com")
    assert result.exit_code == 3
    assert "_net.provider.test" in result.stderr
    assert not (workdir / "spflint.lock").exists()


def test_lock_refuses_offline_and_missing_lock_for_check(workdir: Path) -> None:
    assert run("lock", "--offline", "db.example.com").exit_code == 2
    assert run("lock", "--check", "--nameserver", "127.0.0.1:9", "db.example.com"
               ).exit_code == 2


def test_format_round_trip_and_errors() -> None:
    lock = LockFile({"x.test": {
        "TXT": LockedAnswer(Outcome.OK, ((b"v=spf1 ", b"-all"), (b"\xff",)), 60, "d"),
        "MX": LockedAnswer(Outcome.OK, ((10, "mx.x.test"),), 60, "d"),
        "A": LockedAnswer(Outcome.NXDOMAIN, (), None, "d"),
    }})
    text = dumps(lock)
    assert loads(text).answers == lock.answers
    assert dumps(loads(text)) == text
    assert list(json.loads(text)["answers"]["x.test"]) == ["A", "MX", "TXT"]
    with pytest.raises(Exception, match="not a spflint lock file"):
        loads('{"format": 9}')
    with pytest.raises(Exception, match="malformed entry"):
        loads('{"format": 1, "answers": {"x.test": {"A": {"outcome": "weird"}}}}')


def test_compare_ignores_dates_and_ttls() -> None:
    a = LockFile({"x.test": {"A": LockedAnswer(Outcome.OK, ("192.0.2.1",), 60, "then")}})
    b = LockFile({"x.test": {"A": LockedAnswer(Outcome.OK, ("192.0.2.1",), 300, "now")}})
    assert compare(a, b) == []
    c = LockFile({"x.test": {"A": LockedAnswer(Outcome.NODATA, (), 300, "now")}})
    assert render_changes(compare(a, c)) == (
        "spflint.lock is out of date (1 change(s)):\n~ x.test A\n-   \"192.0.2.1\"\n"
        "+   (nodata)\n")


def test_lock_file_that_cannot_be_written_is_exit_2(
        workdir: Path, make_dns_server: Callable[..., DNSTestServer]) -> None:
    server = make_dns_server(PROVIDER)
    target = workdir / "missing" / "dir" / "spflint.lock"
    result = run("lock", "--nameserver", server.address, "--lock", str(target),
                 "db.example.com")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("spflint: error: cannot write the lock file: ")
    assert "Traceback" not in result.output


def test_lock_refuses_a_resolver_that_calls_everything_nxdomain(
        workdir: Path, make_dns_server: Callable[..., DNSTestServer]) -> None:
    liar = make_dns_server({"unrelated.test": [{"A": "192.0.2.1"}]})  # NXDOMAIN for the rest
    result = run("lock", "--nameserver", liar.address, "db.example.com")
    assert result.exit_code == 3
    assert "every external name came back NXDOMAIN" in result.output
    assert "spflint.lock is not written" in result.output
    assert not (workdir / "spflint.lock").exists()
    forced = run("lock", "--allow-nxdomain", "--nameserver", liar.address, "db.example.com")
    assert forced.exit_code == 0, forced.output
    assert "wrote spflint.lock: 1 external name (0 with SPF, 1 NXDOMAIN)" in forced.output


def test_lock_refuses_nxdomain_for_a_well_known_provider(
        workdir: Path, make_dns_server: Callable[..., DNSTestServer]) -> None:
    (workdir / "db.example.com").write_text(ZONE.replace(
        "include:_spf.example.com", "include:_spf.example.com include:spf.protection.outlook.com"))
    server = make_dns_server(PROVIDER)  # knows the provider, not Microsoft
    result = run("lock", "--nameserver", server.address, "db.example.com")
    assert result.exit_code == 3
    assert "well-known provider name spf.protection.outlook.com came back NXDOMAIN" in \
        result.output
    assert not (workdir / "spflint.lock").exists()


def test_lock_says_once_when_no_server_answers(workdir: Path) -> None:
    import socket

    # A UDP port that receives and never answers: every question times out.
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        result = run("lock", "--nameserver", address, "--timeout", "1", "db.example.com")
    finally:
        silent.close()
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"spflint: error: no DNS server answered: {address} (")
    assert "spflint.lock is not written" in lines[0]
    assert not (workdir / "spflint.lock").exists()
