"""Zone readers: BIND and octoDNS records with exact positions, zone data, positioned errors."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import time
from pathlib import Path
from typing import Any

import dns.rdatatype
import dns.zone
import pytest

from spflint.config import Config
from spflint.dns.base import Answer, Resolver, ZoneData
from spflint.dns.layered import LayeredResolver
from spflint.lint import lint_record
from spflint.txt import cut as published_strings
from spflint.txt import octodns_escape as escape_value
from spflint.txt import octodns_unescape as unescape_value
from spflint.txt import split as split_strings
from spflint.zones import ZoneFileError, read_bind, read_octodns, read_zone
from spflint.zones.check import CachedResolver, check_zones, read_zones, repo_resolver
from spflint.zones.octodns import parse_chunks

REPOS = Path(__file__).resolve().parent.parent / "fixtures" / "repos"


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def slice_of(zone_path: str, start: int, end: int) -> bytes:
    return Path(zone_path).read_bytes()[start:end]


# --------------------------------------------------------------------------- BIND


def test_bind_positions_names_and_strings(tmp_path: Path) -> None:
    text = (
        "$ORIGIN example.com.\n"
        "$TTL 1h\n"
        "@ IN SOA ns1 hostmaster ( 2024010101 3600 600 86400 300 )\n"
        "@\t300 IN TXT \"v=spf1 include:_spf.example.com \" \"-all\" ; main\n"
        "_spf IN TXT ( \"v=spf1 ip4:198.51.100.0/24\"\n"
        "   \" -all\" )\n"
        "  IN TXT \"second\"\n"
        "abs.example.org. TXT v=spf1\n"
    )
    path = write(tmp_path, "db.example.com", text)
    zone = read_bind(path)
    assert zone.origin == "example.com"
    assert zone.format == "bind"
    first, second, third, fourth = zone.records
    assert (first.name, first.line, first.value_line, first.column) == ("example.com", 4, 4, 14)
    assert slice_of(path, first.start, first.end) == b'"v=spf1 include:_spf.example.com " "-all"'
    assert first.strings == (b"v=spf1 include:_spf.example.com ", b"-all")
    assert first.text == "v=spf1 include:_spf.example.com -all"
    assert first.is_spf and not first.parenthesised
    assert (second.name, second.line, second.value_line, second.column) == (
        "_spf.example.com", 5, 5, 15)
    assert second.parenthesised
    assert slice_of(path, second.start, second.end) == (
        b'"v=spf1 ip4:198.51.100.0/24"\n   " -all"')
    assert second.text == "v=spf1 ip4:198.51.100.0/24 -all"
    # An indented entry continues the previous owner.
    assert third.name == "_spf.example.com" and third.line == 7 and not third.is_spf
    # Unquoted single-word strings are strings too.
    assert fourth.name == "abs.example.org" and fourth.strings == (b"v=spf1",)
    assert not fourth.tokens[0].quoted
    assert zone.soa is not None and zone.soa.value == 2024010101 and zone.soa.line == 3
    assert slice_of(path, zone.soa.start, zone.soa.end) == b"2024010101"


def test_bind_escapes_and_crlf(tmp_path: Path) -> None:
    text = ('$ORIGIN example.com.\r\n'
            'a TXT "q\\"uote" "back\\\\slash" "\\065\\066" "caf\xc3\xa9"\r\n'
            'b TXT "v=spf1 -all"\r\n').encode("latin-1")
    path = write(tmp_path, "example.com.zone", text)
    zone = read_bind(path)
    a, b = zone.records
    assert a.strings == (b'q"uote', b"back\\slash", b"AB", "café".encode())
    assert a.value_line == 2 and a.column == 7
    assert b.line == 3 and b.column == 7
    assert slice_of(path, b.start, b.end) == b'"v=spf1 -all"'


def test_bind_column_counts_characters(tmp_path: Path) -> None:
    path = write(tmp_path, "db.example.com",
                 "$ORIGIN example.com.\nx TXT \"é\" \"v=spf1 -all\"\n")
    record = read_bind(path).records[0]
    assert record.column == 7
    assert record.tokens[1].start - record.tokens[0].start == len('"é" '.encode())


def test_bind_origin_from_soa_and_file_name(tmp_path: Path) -> None:
    soa = write(tmp_path, "a.txt", "example.net. IN SOA ns hm 1 2 3 4 5\nwww TXT \"x\"\n")
    assert read_bind(soa).records[0].name == "www.example.net"
    named = write(tmp_path, "db.example.org", "www TXT \"x\"\n")
    assert read_bind(named).records[0].name == "www.example.org"
    explicit = write(tmp_path, "zone", "@ TXT \"x\"\n")
    assert read_bind(explicit, origin="example.info").records[0].name == "example.info"


def test_bind_zone_data_answers_dns(tmp_path: Path) -> None:
    path = write(tmp_path, "db.example.com", (
        "$ORIGIN example.com.\n@ IN MX 10 mx1\n  IN A 192.0.2.1\nmx1 IN AAAA 2001:db8::1\n"
        "www IN CNAME @\nsub IN NS ns.example.net.\n@ TXT \"v=spf1 mx -all\"\n"
        "dkim._domainkey IN TXT \"v=DKIM1; p=abc\"\nother IN CAA 0 issue \"ca.example\"\n"))
    data = read_bind(path).data
    assert data.apexes == {"example.com"}
    assert ("MX", (10, "mx1.example.com")) in data.names["example.com"].records
    assert ("A", "192.0.2.1") in data.names["example.com"].records
    assert data.names["mx1.example.com"].records == [("AAAA", "2001:db8::1")]
    assert data.names["www.example.com"].records == [("CNAME", "example.com")]
    assert data.names["sub.example.com"].records == [("NS", "ns.example.net")]
    assert data.names["other.example.com"].records == []  # exists, nothing spflint asks


@pytest.mark.parametrize("name", ["basic/zones/db.example.com", "basic/zones/db.example.net",
                                  "messy/db.example.com"])
def test_bind_strings_agree_with_dnspython(name: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    source = REPOS / name
    ours = read_bind(source)
    # dnspython resolves $INCLUDE against the working directory, so read from the file's.
    monkeypatch.chdir(source.parent)
    theirs = dns.zone.from_file(source.name, allow_include=True, relativize=False)
    expected = sorted(
        (str(owner).rstrip(".").lower(), tuple(rdata.strings))
        for owner, node in theirs.nodes.items()
        for rdataset in node.rdatasets if rdataset.rdtype == dns.rdatatype.TXT
        for rdata in rdataset
    )
    assert sorted((r.name, r.strings) for r in ours.records) == expected


def test_bind_include_relative_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPOS / "messy", tmp_path / "messy")
    monkeypatch.chdir(tmp_path)  # not the zone's folder: the include is found next to the zone
    zone = read_bind(os.path.join("messy", "db.example.com"))
    include = os.path.join("messy", "spf", "records.inc")
    assert set(zone.contents) == {os.path.join("messy", "db.example.com"), include}
    spf = zone.spf_records
    assert [r.name for r in spf] == ["example.com", "_spf.example.com"]
    assert all(r.path == include for r in spf)
    assert (spf[0].line, spf[0].value_line, spf[0].column) == (2, 3, 3)
    assert (spf[1].line, spf[1].column) == (6, 17)
    data = Path(include).read_bytes()
    assert data[spf[1].start:spf[1].end] == b'"v=spf1 ip4:198.51.100.7 ip4:198.51.100.7 -all"'
    # Names after the include still belong to the including file's origin.
    assert "www.example.com" in zone.data.names


def test_bind_include_cycle_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.zone", "$ORIGIN example.com.\n@ TXT \"a\"\n$INCLUDE b.inc\n")
    write(tmp_path, "b.inc", "; back again\n$INCLUDE a.zone\n")
    with pytest.raises(ZoneFileError) as info:
        read_bind(tmp_path / "a.zone")
    assert info.value.path == str(tmp_path / "b.inc")
    assert (info.value.line, info.value.column) == (2, 10)
    assert "cycle" in str(info.value)


def test_bind_missing_include_points_at_the_directive(tmp_path: Path) -> None:
    path = write(tmp_path, "db.example.com", "$ORIGIN example.com.\n\n$INCLUDE nope.inc\n")
    with pytest.raises(ZoneFileError) as info:
        read_bind(path)
    assert (info.value.path, info.value.line, info.value.column) == (path, 3, 10)
    assert "cannot read" in info.value.reason


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ('$ORIGIN example.com.\nx TXT "open\n', 2, 7, "past the end of the line"),
    ('$ORIGIN example.com.\nx TXT ( "a"\n"b"\n', 2, 7, "never closed"),
    ('$ORIGIN example.com.\nx TXT "a" )\n', 2, 11, "without a matching"),
    ('$ORIGIN example.com.\nx TXT ( "a" (\n"b" ) )\n', 2, 13, "'(' inside '('"),
    ('$ORIGIN example.com.\nx IN A 300.1.1.1\n', 2, 8, "invalid A record"),
    ('$ORIGIN example.com.\n$GENERATE 2-1 x$ A 1.2.3.$\n', 2, 11, "START <= STOP"),
    ('x TXT "a"\n', 1, 1, "origin is unknown"),
    ('$ORIGIN example.com.\nx TXT "\\99"\n', 2, 8, "bad escape"),
])
def test_bind_errors_are_positioned(tmp_path: Path, text: str, line: int, column: int,
                                    words: str) -> None:
    path = write(tmp_path, "zone", text)
    with pytest.raises(ZoneFileError) as info:
        read_bind(path)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.reason
    assert str(info.value).startswith(f"{path}:{line}:{column}: ")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ZoneFileError) as info:
        read_zone(tmp_path / "missing.zone")
    assert info.value.line is None and "cannot read" in str(info.value)


def test_split_strings() -> None:
    assert split_strings(b"short") == [b"short"]
    terms = b" ".join(b"ip4:198.51.100.%d" % i for i in range(30))
    pieces = split_strings(terms)
    assert b"".join(pieces) == terms
    assert all(len(p) <= 255 for p in pieces) and len(pieces) == 3
    assert pieces[0].endswith(b" ")
    assert split_strings(b"x" * 600) == [b"x" * 255, b"x" * 255, b"x" * 90]


# --------------------------------------------------------------------------- octoDNS


OCTO = """\
---
'':
  - type: TXT
    values:
      - v=spf1 include:_spf.example.org ~all
      - 'verification=abc\\; more'
  - octodns:
      ignored: true
    type: MX
    values:
      - exchange: mx1.example.org.
        preference: 10
_spf:
  type: TXT
  value: '"v=spf1 ip4:198.51.100.0/24 " "-all"'
caf\u00e9:
  type: SPF
  value: "v=spf1 -all"
www:
  type: A
  values: [192.0.2.5, 192.0.2.6]
alias:
  type: CNAME
  value: www.example.org.
"""


def test_octodns_records_and_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "example.org.yaml", OCTO)
    zone = read_octodns(path)
    assert zone.origin == "example.org" and zone.format == "octodns"
    root_spf, verification, chunked, spf99 = zone.records
    assert (root_spf.name, root_spf.line, root_spf.column) == ("example.org", 5, 9)
    assert slice_of(path, root_spf.start, root_spf.end) == b"v=spf1 include:_spf.example.org ~all"
    assert root_spf.style == "" and not root_spf.chunked
    assert verification.strings == (b"verification=abc; more",)
    assert slice_of(path, verification.start, verification.end) == b"'verification=abc\\; more'"
    assert chunked.chunked and chunked.strings == (b"v=spf1 ip4:198.51.100.0/24 ", b"-all")
    assert (chunked.name, chunked.line, chunked.column) == ("_spf.example.org", 15, 10)
    # A non-ASCII name before the value: the span is in bytes, the column in characters.
    assert spf99.rdtype == "SPF" and spf99.name == "xn--caf-dma.example.org"
    assert slice_of(path, spf99.start, spf99.end) == b'"v=spf1 -all"'
    data = zone.data
    # The MX record is marked ignored: octoDNS does not publish it, and a note says so.
    assert [r for r in data.names["example.org"].records if r[0] == "MX"] == []
    [note] = zone.notes
    assert (note.code, note.path, note.line, note.column, note.term) == (
        "SPF602", path, 9, 11, "MX")
    assert data.names["www.example.org"].records == [("A", "192.0.2.5"), ("A", "192.0.2.6")]
    assert data.names["alias.example.org"].records == [("CNAME", "www.example.org")]
    assert read_zone(path).records == zone.records


def test_octodns_long_value_is_chunked_as_published(tmp_path: Path) -> None:
    terms = " ".join(f"ip4:198.51.100.{i}" for i in range(30))
    path = write(tmp_path, "example.org.yml", f"'':\n  type: TXT\n  value: v=spf1 {terms} -all\n")
    record = read_octodns(path).records[0]
    assert record.text == f"v=spf1 {terms} -all"
    # Written as one value; octoDNS cuts it into 255-octet strings when it publishes it.
    assert record.strings == (record.value,)
    assert [len(s) for s in published_strings(record.value)] == [255, 255, len(record.text) - 510]


def test_octodns_errors(tmp_path: Path) -> None:
    bad_yaml = write(tmp_path, "example.org.yaml", "'':\n  type: TXT\n  value: [unclosed\n")
    with pytest.raises(ZoneFileError) as info:
        read_octodns(bad_yaml)
    assert info.value.line is not None and "invalid YAML" in str(info.value)
    with pytest.raises(ZoneFileError, match="cannot tell the zone"):
        read_octodns(write(tmp_path, "zone.yaml", "{}\n"))
    # A broken record is a note at its position; the zone is still read.
    no_type = write(tmp_path, "example.net.yaml", "www:\n  value: x\n")
    [note] = read_octodns(no_type).notes
    assert (note.code, note.line, note.column) == ("SPF603", 2, 3)
    assert "no 'type'" in note.message
    bad_a = write(tmp_path, "example.com.yaml", "www:\n  type: A\n  value: 1.2.3\n")
    [note] = read_octodns(bad_a).notes
    assert "not a valid A address" in note.message and (note.line, note.column) == (3, 10)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("'':\n  type: TXT\n  value: 5\n", 3, 10, "a TXT value must be a string, not '5'"),
        ("'':\n  type: TXT\n  values:\n    - v=spf1 -all\n    - 1.5\n", 5, 7,
         "not '1.5'"),
        ("'':\n  type: SPF\n  value: yes\n", 3, 10, "a SPF value must be a string, not 'yes'"),
        ("'':\n  type: TXT\n  values: null\n", 3, 11, "a TXT value must be a string"),
    ],
)
def test_octodns_txt_value_that_is_not_text(tmp_path: Path, text: str, line: int, column: int,
                                            message: str) -> None:
    path = write(tmp_path, "example.org.yaml", text)
    zone = read_octodns(path)
    [note] = zone.notes
    assert (note.code, note.path, note.line, note.column) == ("SPF603", str(path), line, column)
    assert message in note.message
    assert [r.text for r in zone.records] == (["v=spf1 -all"] if "values:\n" in text else [])


def test_octodns_quoted_number_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, "example.org.yaml", "'':\n  type: TXT\n  values: ['5', \"1.5\"]\n")
    assert [r.strings for r in read_octodns(path).records] == [(b"5",), (b"1.5",)]


def test_octodns_value_helpers() -> None:
    assert unescape_value("a\\;b") == "a;b"
    assert escape_value("a;b\\;c") == "a\\;b\\;c"
    # octoDNS's own reading: outer quotes dropped, '" "' removed, nothing unescaped.
    assert parse_chunks('"a " "b\\"c"') == ["a ", 'b\\"c']
    assert parse_chunks("plain") == ["plain"]
    assert parse_chunks('"a" x') == ['a" ']


# --------------------------------------------------------------------------- checking a repository

SHARED = '$ORIGIN shared.example.\n_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n'


def _customers(tmp_path: Path, count: int) -> list[str]:
    paths = [write(tmp_path, "db.shared.example", SHARED)]
    for i in range(count):
        paths.append(write(tmp_path, f"db.c{i}.example",
                           '@ IN TXT "v=spf1 include:_spf.shared.example -all"\n'
                           'bounce IN TXT "v=spf1 include:_spf.shared.example ~all"\n'))
    return paths


class _Counting:
    def __init__(self, inner: Resolver, slow: str = "", wait: float = 0.0) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []
        self.slow = slow
        self.wait = wait

    async def query(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name, rdtype))
        if name == self.slow:
            await asyncio.sleep(self.wait)
        return await self.inner.query(name, rdtype)


def test_each_question_is_asked_once_per_run(tmp_path: Path) -> None:
    zones, errors = read_zones(_customers(tmp_path, 5))
    resolver = repo_resolver(zones, offline=True)
    assert isinstance(resolver, CachedResolver)
    counting = _Counting(resolver)
    check = check_zones(zones, errors, Config(), counting)
    assert len(check.records) == 11 and len(check.trees) == 11
    assert counting.asked.count(("_spf.shared.example", "TXT")) == 1
    assert len(counting.asked) == len(set(counting.asked))
    # the resolver repo_resolver builds keeps its answers for the whole run
    check_zones(zones, errors, Config(), resolver)
    check_zones(zones, errors, Config(), resolver)
    layered_log = resolver.log
    assert layered_log is not None
    asked = [(q.name, q.rdtype) for q in layered_log]
    assert asked.count(("_spf.shared.example", "TXT")) == 1
    assert resolver.cache_hits > 0


def test_records_are_linted_once_and_other_owned_records_still(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import spflint.check
    import spflint.zones.check

    path = write(tmp_path, "db.a.example",
                 '@ IN TXT "v=spf1 ip4:192.0.2.1 ip4:192.0.2.1 include:out.a.example -all"\n'
                 '_spf IN TXT "v=spf1 ip4:192.0.2.2 -all"\n'
                 'bounce IN TXT "v=spf1 include:_spf.a.example include:out.a.example -all"\n')
    # out.a.example is the owner's (below a.example) but answered by --dns-data: the zone is
    # given without its apex so that the next layer may answer
    data = write(tmp_path, "extra.yml",
                 "out.a.example: [{TXT: 'v=spf1 ip4:198.51.100.1 ip4:198.51.100.1 -all'}]\n")
    linted: list[str] = []

    def counting_lint(text: str, *args: Any, **kwargs: Any) -> Any:
        linted.append(text)
        return lint_record(text, *args, **kwargs)

    monkeypatch.setattr(spflint.check, "lint_record", counting_lint)
    monkeypatch.setattr(spflint.zones.check, "lint_record", counting_lint)
    zones, errors = read_zones([path])
    zones = [dataclasses.replace(zones[0], data=ZoneData(
        names={k: v for k, v in zones[0].data.names.items() if k != "out.a.example"},
        apexes=set(), source=zones[0].data.source))]
    check = check_zones(zones, errors, Config(), repo_resolver(zones, dns_data=[data],
                                                                offline=True))
    assert sorted(linted) == sorted([r.record.text for r in check.records]
                                    + ["v=spf1 ip4:198.51.100.1 ip4:198.51.100.1 -all"])
    by_domain = {(f.code, f.domain) for f in check.findings}
    assert ("SPF311", "a.example") in by_domain
    assert ("SPF311", "out.a.example") in by_domain  # shown on the record that includes it
    shown = next(f for f in check.findings if f.domain == "out.a.example")
    assert shown.line == 1 and shown.column is None


def test_timeout_is_a_deadline_for_the_walks(tmp_path: Path) -> None:
    zones, errors = read_zones(_customers(tmp_path, 2))
    slow = _Counting(repo_resolver(zones, offline=True), slow="_spf.shared.example", wait=5.0)
    started = time.monotonic()
    check = check_zones(zones, errors, Config(), slow, timeout=0.3)
    assert time.monotonic() - started < 3.0
    assert check.trees and not any(t.complete for t in check.trees.values())
    assert len(check.dns_failures) == len(check.trees)
    assert "the time allowed for the walk was used up" in check.dns_failures[0]


def test_repo_resolver_gives_the_deadline_to_live_dns(tmp_path: Path) -> None:
    zones, _errors = read_zones(_customers(tmp_path, 1))
    deadline = time.monotonic() + 7.0
    resolver = repo_resolver(zones, nameservers=["127.0.0.1:5399"], timeout=0.5,
                             deadline=deadline)
    layered = resolver.inner
    assert isinstance(layered, LayeredResolver) and layered.live is not None
    assert (layered.live.deadline, layered.live.timeout) == (deadline, 0.5)
    assert repo_resolver(zones, nameservers=["127.0.0.1:5399"]).inner.live.deadline is None
