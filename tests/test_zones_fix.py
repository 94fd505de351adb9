"""``spflint zone --fix``: byte-exact in-place rewrites, --diff, --bump-serial, crash safety."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spflint.cli import main
from spflint.zones import read_zone
from spflint.zones import rewrite as rewrite_module
from spflint.zones.rewrite import (
    RewriteError,
    ZoneChangedError,
    next_serial,
    plan_rewrite,
    write_atomic,
)

REPOS = Path(__file__).resolve().parent.parent / "fixtures" / "repos"


@pytest.fixture
def messy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    shutil.copytree(REPOS / "messy", tmp_path / "messy")
    monkeypatch.chdir(tmp_path / "messy")
    return tmp_path / "messy"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["zone", "--offline", *args])


INCLUDED_FIXED = (
    b"; SPF records, included from ../db.example.com (CRLF too)\r\n"
    b"@\tIN\tTXT\t(\r\n"
    b'\t\t"v=spf1 ip4:198.51.100.0/24 "\t; office\r\n'
    b'\t\t"include:_spf.example.com ~all"\t; hosted\r\n'
    b"\t)\r\n"
    b'_spf\t300\tIN\tTXT\t"v=spf1 ip4:198.51.100.7 -all" ; relay\r\n'
    b'note\tIN\tTXT\t"not an spf record; \\"quoted\\" \\\\ and \\065"\r\n'
)


def test_fix_changes_only_the_records_bytes(messy: Path) -> None:
    main_before = (messy / "db.example.com").read_bytes()
    # Selecting the rules (style ones included) lets their style fixes respell terms.
    result = run("--fix", "--select", "SPF", "db.example.com")
    assert result.exit_code == 0, result.output
    assert "fixed 2 record(s) in spf/records.inc" in result.output
    # CRLF, tabs, comments inside the parentheses and the other records are untouched.
    assert (messy / "spf" / "records.inc").read_bytes() == INCLUDED_FIXED
    assert (messy / "db.example.com").read_bytes() == main_before
    assert not [p for p in messy.rglob("*.spflint")]
    # Nothing is left to fix.
    again = run("--fix", "--select", "SPF", "db.example.com")
    assert again.exit_code == 0 and "fixed" not in again.output


def test_fix_respells_nothing_unless_style_rules_are_selected(messy: Path) -> None:
    result = run("--fix", "db.example.com")
    assert result.exit_code == 0, result.output
    assert "fixed 1 record(s) in spf/records.inc" in result.output
    text = (messy / "spf" / "records.inc").read_bytes()
    assert b'"v=spf1 IP4:198.51.100.0/24 "' in text  # as written: style is not asked for
    assert b'"v=spf1 ip4:198.51.100.7 -all" ; relay' in text  # the duplicate goes (safe)


def test_bump_serial_in_the_including_file(messy: Path) -> None:
    result = run("--fix", "--bump-serial", "db.example.com")
    assert result.exit_code == 0, result.output
    text = (messy / "db.example.com").read_bytes()
    today = int(datetime.date.today().strftime("%Y%m%d")) * 100
    assert f"\t\t{today}\t; serial\r\n".encode() in text
    assert text.replace(str(today).encode(), b"2024050101") == (
        REPOS / "messy" / "db.example.com").read_bytes()


def test_diff_prints_without_writing_and_nothing_is_left_after_fix(messy: Path) -> None:
    before = (messy / "spf" / "records.inc").read_bytes()
    result = run("--diff", "--select", "SPF", "db.example.com")
    assert result.exit_code == 1
    assert result.output.startswith("--- a/spf/records.inc\n+++ b/spf/records.inc\n")
    raw = result.stdout_bytes  # line endings as in the file
    assert b'-\t\t"v=spf1 IP4:198.51.100.0/24 "\t; office\r\n' in raw
    assert b'+\t\t"v=spf1 ip4:198.51.100.0/24 "\t; office\r\n' in raw
    assert (messy / "spf" / "records.inc").read_bytes() == before
    assert run("--fix", "--select", "SPF", "db.example.com").exit_code in (0, 1)
    assert run("--diff", "--select", "SPF", "db.example.com").exit_code == 0  # all fixed


def test_unsafe_fixes_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    zone = tmp_path / "db.example.com"
    zone.write_text('$ORIGIN example.com.\n@ TXT "v=spf1 ptr ip4:93.184.216.34 -all" ; x\n')
    run("--fix", "db.example.com")
    assert "ptr" in zone.read_text()
    run("--fix", "--unsafe-fixes", "db.example.com")
    assert zone.read_text() == '$ORIGIN example.com.\n@ TXT "v=spf1 ip4:93.184.216.34 -all" ; x\n'


def test_octodns_fix_keeps_style_and_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    # The MX and A records make `mx` and `a` match something, so the minimal record keeps
    # them (a term that matches nothing would be dropped as redundant).
    text = ("---\n# comment stays\n'':\n  - type: MX\n    values:\n"
            "      - exchange: mail.example.org.\n        preference: 10\n"
            "  - type: TXT\n    values:\n"
            "      - v=spf1 MX mx -all\n      - 'other=1\\; 2'\nmail:\n  - type: A\n"
            "    value: 192.0.2.25\n  - type: TXT\n"
            "    value: 'v=spf1 A a -all'\n"
            "_spf:\n  type: TXT\n  value: '\"v=spf1 IP4:198.51.100.0/24 \" \"-all\"'\n")
    path = tmp_path / "example.org.yaml"
    path.write_text(text)
    result = run("--fix", "--select", "SPF", "--ignore", "SPF304,SPF314", str(path.name))
    assert result.exit_code == 0, result.output
    assert path.read_text() == text.replace("MX mx", "mx").replace("A a", "a").replace(
        "IP4", "ip4")
    records = read_zone(path).records
    assert records[1].strings == (b"other=1; 2",)
    assert records[3].chunked and records[3].strings == (b"v=spf1 ip4:198.51.100.0/24 ",
                                                         b"-all")


def test_long_record_is_split_into_strings(tmp_path: Path) -> None:
    terms = " ".join(f"ip4:198.51.100.{i}" for i in range(20))
    path = tmp_path / "db.example.com"
    path.write_bytes(b'$ORIGIN example.com.\n@ TXT ( "v=spf1 mx" ) ; c\n')
    zone = read_zone(path)
    new = f"v=spf1 mx {terms} -all"
    [change] = plan_rewrite([zone], {(str(path), zone.records[0].start): new})
    lines = change.new.split(b"\n")
    assert lines[1].startswith(b'@ TXT ( "v=spf1 mx ip4:198.51.100.0 ')
    assert lines[1].endswith(b'" "ip4:198.51.100.14 ip4:198.51.100.15 ip4:198.51.100.16'
                             b' ip4:198.51.100.17 ip4:198.51.100.18 ip4:198.51.100.19 -all" ) ; c')
    again = read_zone(str(path), overrides={str(path): change.new})
    assert again.records[0].text == new
    assert all(len(s) <= 255 for s in again.records[0].strings)


def test_shrinking_a_multi_line_record_drops_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "db.example.com"
    path.write_bytes(b'$ORIGIN example.com.\r\n@ TXT (\r\n  "v=spf1 mx "\r\n  "a "\r\n'
                     b'  "-all" )\r\n')
    zone = read_zone(path)
    [change] = plan_rewrite([zone], {(str(path), zone.records[0].start): "v=spf1 -all"})
    # A string alone on its line goes with its line; one sharing it leaves the rest.
    assert change.new == b'$ORIGIN example.com.\r\n@ TXT (\r\n  "v=spf1 -all"\r\n )\r\n'


def test_block_scalar_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "example.org.yaml"
    path.write_text("'':\n  type: TXT\n  value: >-\n    v=spf1 MX -all\n")
    zone = read_zone(path)
    with pytest.raises(RewriteError, match="block scalar"):
        plan_rewrite([zone], {(str(path), zone.records[0].start): "v=spf1 mx -all"})


def test_interrupted_write_leaves_the_original(messy: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    target = messy / "spf" / "records.inc"
    before = target.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    result = run("--fix", "db.example.com")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["records.inc"]


def test_refuses_when_the_file_changed_meanwhile(messy: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = messy / "spf" / "records.inc"
    original = rewrite_module.plan_rewrite
    edited = target.read_bytes() + b"; someone else's edit\r\n"

    def plan_then_edit(*args: object, **kwargs: object) -> object:
        changes = original(*args, **kwargs)  # type: ignore[arg-type]
        target.write_bytes(edited)
        return changes

    monkeypatch.setattr(rewrite_module, "plan_rewrite", plan_then_edit)
    result = run("--fix", "db.example.com")
    assert result.exit_code == 2
    assert "changed since it was read" in result.stderr
    assert target.read_bytes() == edited


def test_write_atomic_checks_the_hash(tmp_path: Path) -> None:
    path = tmp_path / "zone"
    path.write_bytes(b"old")
    with pytest.raises(ZoneChangedError):
        write_atomic(str(path), b"new", "0" * 64)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["zone"]


@pytest.mark.parametrize(("old", "today", "new"), [
    (2024050101, datetime.date(2024, 5, 1), 2024050102),
    (2024050101, datetime.date(2024, 6, 2), 2024060200),
    (2099010100, datetime.date(2024, 6, 2), 2099010101),
    (7, datetime.date(2024, 6, 2), 8),
    (4294967295, datetime.date(2024, 6, 2), 0),
    (1234567890, datetime.date(2024, 6, 2), 1234567891),  # not a date: a counter
])
def test_next_serial(old: int, today: datetime.date, new: int) -> None:
    assert next_serial(old, today) == new


# --------------------------------------------------------------------------- property

_TERMS = st.sampled_from(["mx", "a", "-all", "~all", "ip4:198.51.100.0/24", "ptr",
                          "include:_spf.example.net", "ip6:2001:db8::/32", 'exp="q"',
                          "redirect=x.example", "a:b\\c", "exists:%{i}.x.example"])
_VALUES = st.lists(_TERMS, min_size=0, max_size=40).map(lambda ts: " ".join(["v=spf1", *ts]))

_BIND_LAYOUTS = [
    '@ IN TXT "{a}"\n',
    '@\tIN\tTXT\t"{a}" "{b}"\t; comment\r\n',
    '@ IN TXT (\n    "{a}"   ; one\n    "{b}" ; two\n    )\n',
    '@ 300 TXT ( "{a}" ) ; trailing\n',
    "@ TXT {w}\n",
]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(_BIND_LAYOUTS), new=_VALUES)
def test_bind_rewrite_reads_back_exactly(tmp_path: Path, layout: str, new: str) -> None:
    text = ("$ORIGIN example.com.\n; before\nx TXT \"keep me\"\n"
            + layout.format(a="v=spf1 mx ", b="-all", w="v=spf1")
            + "y TXT \"after\"\n")
    path = str(tmp_path / "db.example.com")
    data = text.encode()
    zone = read_zone(path, overrides={path: data})
    record = next(r for r in zone.records if r.name == "example.com")
    [change] = plan_rewrite([zone], {(path, record.start): new}) or [None]
    again = read_zone(path, overrides={path: change.new if change else data})
    fixed = next(r for r in again.records if r.name == "example.com")
    assert fixed.text == new
    assert b"".join(fixed.strings) == new.encode()
    assert all(len(s) <= 255 for s in fixed.strings)
    assert [(r.name, r.strings) for r in again.records if r.name != "example.com"] == [
        ("x.example.com", (b"keep me",)), ("y.example.com", (b"after",))]
    if change:
        # Only the record's span changed: the bytes before and after it are identical.
        assert change.new[: record.start] == data[: record.start]
        assert change.new.endswith(data[record.end :])


_OCTO_STYLES = ["value: {v}", "value: '{v}'", 'value: "{v}"', "value: '\"{v}\"'"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(style=st.sampled_from(_OCTO_STYLES), new=_VALUES)
def test_octodns_rewrite_reads_back_exactly(tmp_path: Path, style: str, new: str) -> None:
    text = ("---\n# keep\n'':\n  type: TXT\n  " + style.format(v="v=spf1 mx -all")
            + "\nwww:\n  type: A\n  value: 192.0.2.1\n")
    path = str(tmp_path / "example.com.yaml")
    data = text.encode()
    zone = read_zone(path, overrides={path: data})
    record = zone.records[0]
    changes = plan_rewrite([zone], {(path, record.start): new})
    again = read_zone(path, overrides={path: changes[0].new if changes else data})
    assert again.records[0].text == new
    assert again.records[0].chunked == record.chunked
    assert again.records[0].style == record.style or record.style == ""
    assert again.data.names["www.example.com"].records == [("A", "192.0.2.1")]


def test_fix_of_a_record_in_an_include_allowed_by_include_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rewritten zone is read back with the same --include-root it was read with.
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "spf.inc").write_text(
        'spf IN TXT "v=spf1 ip4:198.51.100.7 ip4:198.51.100.7 -all"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "db.example.com").write_text(
        f"$ORIGIN example.com.\n@ IN SOA ns hm 1 2 3 4 5\n$INCLUDE {shared / 'spf.inc'}\n")
    monkeypatch.chdir(repo)
    result = run("--include-root", str(shared), "--fix", "db.example.com")
    assert result.exit_code in (0, 1), result.output
    assert (shared / "spf.inc").read_text() == 'spf IN TXT "v=spf1 ip4:198.51.100.7 -all"\n'
