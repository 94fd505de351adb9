"""octoDNS zones read as octoDNS reads them: value shapes, targets, split zones, includes,
notes for what octoDNS refuses or drops, and bounds on hostile YAML."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from spflint.cli import main
from spflint.config import Config
from spflint.dns.base import ZoneData
from spflint.findings import Severity
from spflint.txt import cut as published_strings
from spflint.zones import ZoneFile, ZoneFileError, read_octodns, read_zone
from spflint.zones import octodns as octodns_module
from spflint.zones.check import check_zones, repo_resolver
from spflint.zones.fixes import minimal_texts
from spflint.zones.octodns import MAX_DEPTH, MAX_NOTES
from spflint.zones.rewrite import plan_rewrite, write_atomic


def write(root: Path, name: str, text: str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def zone_of(tmp_path: Path, text: str, name: str = "example.com.yaml") -> ZoneFile:
    return read_octodns(write(tmp_path, name, text))


def records(data: ZoneData, name: str) -> list[object]:
    entry = data.names.get(name)
    return [] if entry is None else list(entry.records)


def notes(zone: ZoneFile) -> list[tuple[str, int, int, str | None]]:
    return [(n.code, n.line, n.column, n.term) for n in zone.notes]


def codes(zone: ZoneFile, **where: object) -> list[str]:
    check = check_zones([zone], [], Config(), repo_resolver([zone], offline=True))
    return [f.code for f in check.findings
            if all(getattr(f, key) == value for key, value in where.items())]


# --------------------------------------------------------------------------- value shapes


def test_every_value_shape_octodns_accepts(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, """\
'':
  - type: MX
    value:                      # 'value' holding a list of mappings
      - exchange: mx1.example.com.
        preference: 10
      - value: mx2.example.com.  # the old names of the fields
        priority: 20
  - type: TXT
    values: v=spf1 mx -all      # 'values' holding one value
a:
  type: A
  value: [192.0.2.1, 192.0.2.2]
b:
  type: A
  values: 192.0.2.3
c:
  type: AAAA
  value: 2001:DB8::1
d:
  type: MX
  values:
    exchange: mx1.example.com.
    preference: 5
e:
  - type: CAA
    value: {flags: 0, tag: issue, value: ca.example.net}
  - type: SRV
    value: {port: 5060, priority: 10, target: sip.example.com., weight: 1}
  - type: SSHFP
    value: {algorithm: 1, fingerprint: abc, fingerprint_type: 1}
""")
    assert zone.notes == []
    assert records(zone.data, "example.com") == [
        ("MX", (10, "mx1.example.com")), ("MX", (20, "mx2.example.com")),
        ("TXT", (b"v=spf1 mx -all",))]
    assert records(zone.data, "a.example.com") == [("A", "192.0.2.1"), ("A", "192.0.2.2")]
    assert records(zone.data, "b.example.com") == [("A", "192.0.2.3")]
    assert records(zone.data, "c.example.com") == [("AAAA", "2001:db8::1")]
    assert records(zone.data, "d.example.com") == [("MX", (5, "mx1.example.com"))]
    # Types SPF evaluation never asks for are read past, without a note.
    assert "e.example.com" not in zone.data.names
    assert [(r.name, r.text) for r in zone.records] == [("example.com", "v=spf1 mx -all")]


def test_values_wins_over_value_as_in_octodns(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  type: TXT\n  value: v=spf1 -all\n  values:\n"
                             "    - v=spf1 mx -all\n")
    assert [r.text for r in zone.records] == ["v=spf1 mx -all"]
    [note] = zone.notes
    assert (note.code, note.line, note.severity) == ("SPF603", 3, Severity.WARNING)


def test_types_are_case_sensitive_in_octodns(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  - type: txt\n    value: v=spf1 -all\n"
                             "www:\n  type: TXT\n  value: v=spf1 a -all\n")
    assert [r.name for r in zone.records] == ["www.example.com"]
    assert "example.com" not in zone.data.names
    [note] = zone.notes
    assert (note.code, note.line, note.column, note.term) == ("SPF603", 2, 11, "txt")
    assert "write 'TXT'" in note.message


def test_unknown_types_octodns_refuses_and_plugin_types_it_may_know(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "a:\n  type: DYNA\n  value: x\n"
                             "b:\n  type: NS1Provider/FILTERCHAIN\n  value: x\n")
    assert [(n.code, n.term) for n in zone.notes] == [
        ("SPF603", "DYNA"), ("SPF602", "NS1Provider/FILTERCHAIN")]
    assert zone.data.names == {}


def test_ignored_records_are_not_published(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  - octodns:\n      ignored: true\n    type: TXT\n"
                             "    value: v=spf1 -all\n  - type: A\n    value: 192.0.2.1\n")
    assert zone.records == []
    assert records(zone.data, "example.com") == [("A", "192.0.2.1")]
    assert notes(zone) == [("SPF602", 4, 11, "TXT")]


@pytest.mark.parametrize(("ttl", "expected"), [
    ("300", []), ("'300'", []), ("-5", [("SPF603", Severity.ERROR)]),
    ("five", [("SPF603", Severity.ERROR)]), ("[1]", [("SPF603", Severity.ERROR)])])
def test_ttl(tmp_path: Path, ttl: str, expected: list[tuple[str, Severity]]) -> None:
    zone = zone_of(tmp_path, f"'':\n  ttl: {ttl}\n  type: TXT\n  value: v=spf1 -all\n")
    assert [(n.code, n.severity or Severity.ERROR) for n in zone.notes] == expected
    assert [r.text for r in zone.records] == ["v=spf1 -all"]  # its meaning is plain


def test_lenient_records_are_warnings(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  octodns:\n    lenient: true\n  ttl: -1\n  type: TXT\n"
                             "  value: v=DMARC1; p=none\n")
    assert [(n.code, n.severity) for n in zone.notes] == [
        ("SPF603", Severity.WARNING), ("SPF603", Severity.WARNING)]
    assert zone.records[0].text == "v=DMARC1; p=none"


def test_two_records_of_one_type_at_one_name(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "www:\n  - type: TXT\n    value: v=spf1 -all\n"
                             "  - type: TXT\n    value: v=spf1 mx -all\n")
    assert [r.text for r in zone.records] == ["v=spf1 -all"]
    [note] = zone.notes
    assert (note.code, note.line, note.column) == ("SPF603", 4, 5)
    assert "first is at" in note.message and ":2" in note.message


def test_duplicate_key_keeps_the_last_one(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "www:\n  type: TXT\n  value: v=spf1 -all\n"
                             "www:\n  type: TXT\n  value: v=spf1 mx -all\n")
    assert [r.text for r in zone.records] == ["v=spf1 mx -all"]
    [note] = zone.notes
    assert (note.code, note.line, note.severity, note.term) == (
        "SPF603", 1, Severity.WARNING, "www")


def test_anchors_aliases_and_merge_keys(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, """\
x-defaults: &defaults
  ttl: 300
  type: TXT
'':
  <<: *defaults
  value: &spf v=spf1 mx -all
www:
  <<: [*defaults, {type: A}]
  value: *spf
mail:
  <<: *defaults
  type: A
  value: 192.0.2.1
""")
    # 'x-defaults' is a record too for octoDNS, and the first mapping of a merge list wins.
    assert notes(zone) == [("SPF603", 1, 13, "TXT")]
    assert [(r.name, r.text) for r in zone.records] == [
        ("example.com", "v=spf1 mx -all"), ("www.example.com", "v=spf1 mx -all")]
    assert records(zone.data, "mail.example.com") == [("A", "192.0.2.1")]


def test_aliased_value_is_rewritten_once(tmp_path: Path) -> None:
    text = "'':\n  type: TXT\n  value: &spf v=spf1 MX -all\nwww:\n  type: TXT\n  value: *spf\n"
    path = write(tmp_path, "example.com.yaml", text)
    zone = read_octodns(path)
    assert zone.records[0].start == zone.records[1].start
    [change] = plan_rewrite([zone], {(path, zone.records[0].start): "v=spf1 mx -all"})
    assert change.new.decode() == text.replace("MX", "mx")


def test_non_text_names(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "1:\n  type: A\n  value: 192.0.2.1\n"
                             "yes:\n  type: A\n  value: 192.0.2.2\n"
                             "? [a, b]\n: {type: A, value: 192.0.2.3}\n"
                             "'@':\n  type: A\n  value: 192.0.2.4\n"
                             "'a b':\n  type: A\n  value: 192.0.2.5\n")
    # octoDNS makes a name of str(1); YAML reads yes as a boolean.
    assert list(zone.data.names) == ["1.example.com"]
    assert notes(zone) == [("SPF603", 4, 1, "yes"), ("SPF603", 7, 3, None),
                           ("SPF603", 9, 1, "@"), ("SPF603", 12, 1, "a b")]


@pytest.mark.parametrize(("text", "line", "column"), [
    ("'':\n  type: 5\n  value: x\n", 2, 9),
    ("'':\n  type: {a: b}\n  value: x\n", 2, 9),
    ("'':\n  type: [TXT]\n  value: x\n", 2, 9),
    ("'':\n  value: x\n", 2, 3),
    ("'': v=spf1 -all\n", 1, 5),
    ("'':\n  type: TXT\n  value: !foo bar\n", 3, 10),
    ("'':\n  type: MX\n  value: 10 mail.example.com.\n", 3, 10),
    ("'':\n  type: MX\n  value: {exchange: mail.example.com.}\n", 3, 10),
    ("'':\n  type: MX\n  value: {exchange: mail.example.com., preference: high}\n", 3, 52),
    ("'':\n  type: CNAME\n  values: [a.example.net.]\n", 3, 3),
    ("'':\n  type: TXT\n  values: []\n", 3, 11),
])
def test_malformed_record_is_a_note_at_its_position(tmp_path: Path, text: str, line: int,
                                                    column: int) -> None:
    zone = zone_of(tmp_path, text + "www:\n  type: TXT\n  value: v=spf1 -all\n")
    assert [(n.code, n.line, n.column) for n in zone.notes] == [("SPF603", line, column)]
    assert [r.name for r in zone.records] == ["www.example.com"]


def test_a_broken_record_does_not_hide_the_rest_of_the_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "example.com.yaml", """\
'':
  - type: MX
    value:
      - exchange: mail.example.com.
        preference: 10
  - type: TXT
    value: v=spf1 mx nclude:_spf.example.net -all
bad:
  type: MX
  value: 10 mail.example.com.
mail:
  type: A
  value: 192.0.2.25
""")
    result = CliRunner().invoke(main, ["zone", "--offline", "--format", "json", path])
    assert result.exit_code == 1, result.output
    found = {(d["code"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert ("SPF603", 10) in found  # the broken MX, at its file position
    assert ("SPF101", 7) in found  # and the typo in the SPF record is still reported


def test_file_errors(tmp_path: Path) -> None:
    for text, message in [("'':\n  type: [unclosed\n", "invalid YAML"),
                          ("- a\n- b\n", "a mapping of names"),
                          ("a: 1\n---\nb: 2\n", "expected a single document"),
                          ("'':\n  value: \"a\x07b\"\n", "U\\+0007")]:
        with pytest.raises(ZoneFileError, match=message) as info:
            zone_of(tmp_path, text)
        assert info.value.line is not None
    assert zone_of(tmp_path, "").records == []
    assert zone_of(tmp_path, "---\n").records == []


# --------------------------------------------------------------------------- targets


def test_targets_are_taken_as_written(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, """\
'':
  type: MX
  values:
    - exchange: mail.example.com
      preference: 10
    - exchange: mx
      preference: 20
www:
  type: CNAME
  value: example.com
""")
    # Never re-rooted under the zone: octoDNS does not do that.
    assert records(zone.data, "example.com") == [("MX", (10, "mail.example.com")),
                                                 ("MX", (20, "mx"))]
    assert records(zone.data, "www.example.com") == [("CNAME", "example.com")]
    assert notes(zone) == [("SPF601", 4, 17, "mail.example.com"), ("SPF601", 6, 17, "mx"),
                           ("SPF601", 10, 10, "example.com")]
    assert all(n.severity is None for n in zone.notes)
    assert "octoDNS refuses the zone" in zone.notes[0].message


def test_alias_records_stand_for_their_target(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, """\
'':
  type: ALIAS
  value: lb.example.net.
r53:
  type: Route53Provider/ALIAS
  values:
    - name: ''
      type: A
    - name: www
      type: AAAA
    - name: www
      type: A
    - name: dualstack.lb-1.eu-west-1.elb.amazonaws.com.
      type: A
      hosted-zone-id: Z32O12XQLNTSW2
www:
  type: A
  value: 192.0.2.80
wrong:
  type: ALIAS
  value: lb.example.net.
""")
    assert records(zone.data, "example.com") == [("ALIAS", "lb.example.net")]
    assert records(zone.data, "r53.example.com") == [
        ("ALIAS", "example.com"), ("ALIAS", "www.example.com"),
        ("ALIAS", "dualstack.lb-1.eu-west-1.elb.amazonaws.com")]
    # octoDNS allows ALIAS at the apex only; the record is still read as written.
    assert records(zone.data, "wrong.example.com") == [("ALIAS", "lb.example.net")]
    assert notes(zone) == [("SPF603", 21, 10, "ALIAS")]


def test_ns_records_below_the_apex_are_delegations(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  type: NS\n  values: [ns1.example.net., ns2.example.net.]\n"
                             "sub:\n  type: NS\n  value: ns1.example.org.\n")
    assert zone.data.delegations == {"sub.example.com"}
    assert records(zone.data, "sub.example.com") == [("NS", "ns1.example.org")]


# --------------------------------------------------------------------------- strings


def test_octodns_chunks_are_not_string_boundaries(tmp_path: Path) -> None:
    terms = " ".join(f"ip4:198.51.100.{i}" for i in range(30))
    zone = zone_of(tmp_path, f"'':\n  type: TXT\n  value: v=spf1 {terms} -all\n")
    [record] = zone.records
    # The data holds the value as written; octoDNS publishes it in 255-octet pieces.
    assert records(zone.data, "example.com") == [("TXT", (record.value,))]
    assert [len(s) for s in published_strings(record.value)] == [255, 255, len(record.value) - 510]
    found = codes(zone)
    assert "SPF223" not in found and "SPF201" not in found, found


def test_user_chunks_glued_without_a_space_are_reported(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "'':\n  type: TXT\n  value: "
                             "'\"v=spf1 ip4:192.0.2.1\" \"include:_spf.example.net -all\"'\n")
    [record] = zone.records
    assert record.chunked and record.text == "v=spf1 ip4:192.0.2.1include:_spf.example.net -all"
    assert records(zone.data, "example.com") == [("TXT", record.strings)]
    assert "SPF223" in codes(zone, line=3)


def test_a_long_chunk_is_cut_again_by_octodns(tmp_path: Path) -> None:
    terms = " ".join(f"ip4:198.51.100.{i}" for i in range(20))
    zone = zone_of(tmp_path, f"'':\n  type: TXT\n  value: '\"v=spf1 {terms} \" \"-all\"'\n")
    assert len(zone.records[0].strings[0]) > 255
    assert "SPF201" not in codes(zone)


def test_values_octodns_would_change(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "a:\n  type: TXT\n  value: '\"v=spf1 -all'\n"
                             "b:\n  type: TXT\n  value: v=spf1 a:caf\u00e9.example.com -all\n")
    # A value starting with a quote loses its first and last character, as in octoDNS.
    assert zone.records[0].text == "v=spf1 -al"
    assert [(n.code, n.severity) for n in zone.notes] == [
        ("SPF603", Severity.WARNING), ("SPF603", None)]
    assert "non-ASCII" in zone.notes[1].message


# --------------------------------------------------------------------------- !include


def test_include_files(tmp_path: Path) -> None:
    write(tmp_path, "common/apex.yaml", "- type: TXT\n  value: v=spf1 include:_spf.example.com"
                                        " -all\n- type: A\n  value: 192.0.2.1\n")
    write(tmp_path, "txt/a.yaml", "- google-site-verification=abc\n")
    write(tmp_path, "txt/b.yaml", "- v=spf1 -all\n")
    write(tmp_path, "spf.yaml", "type: TXT\nvalue: v=spf1 ip4:192.0.2.0/24 -all\n")
    write(tmp_path, "defaults.yaml", "ttl: 60\n")
    zone = zone_of(tmp_path, "'': !include common/apex.yaml\n"
                             "_spf: !include spf.yaml\n"
                             "lists:\n  type: TXT\n  values: !include [txt/a.yaml, txt/b.yaml]\n"
                             "merged:\n  <<: !include defaults.yaml\n  type: A\n"
                             "  value: 192.0.2.2\n")
    assert zone.notes == []
    assert [(r.name, r.text, os.path.relpath(r.path, tmp_path)) for r in zone.records] == [
        ("example.com", "v=spf1 include:_spf.example.com -all", "common/apex.yaml"),
        ("_spf.example.com", "v=spf1 ip4:192.0.2.0/24 -all", "spf.yaml"),
        ("lists.example.com", "google-site-verification=abc", os.path.join("txt", "a.yaml")),
        ("lists.example.com", "v=spf1 -all", os.path.join("txt", "b.yaml"))]
    first = zone.records[0]
    assert Path(first.path).read_bytes()[first.start:first.end] == (
        b"v=spf1 include:_spf.example.com -all")
    assert set(zone.contents) == {str(tmp_path / p) for p in (
        "example.com.yaml", "common/apex.yaml", "spf.yaml", "txt/a.yaml", "txt/b.yaml",
        "defaults.yaml")}
    assert records(zone.data, "merged.example.com") == [("A", "192.0.2.2")]


def test_fix_rewrites_a_record_in_the_included_file(tmp_path: Path) -> None:
    shared = write(tmp_path, "shared/spf.yaml", "# shared\n- v=spf1 MX -all\n- other=1\n")
    path = write(tmp_path, "example.com.yaml", "'':\n  type: TXT\n  values: !include"
                                               " shared/spf.yaml\n")
    zone = read_octodns(path)
    style = Config(select=frozenset({"SPF401"}))  # the case fix is a style fix: selected
    texts = asyncio.run(minimal_texts([zone], style, repo_resolver([zone], offline=True)))
    [change] = plan_rewrite([zone], texts)
    assert change.path == shared
    assert change.new == b"# shared\n- v=spf1 mx -all\n- other=1\n"


def test_include_problems_are_notes(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "[unclosed\n")
    write(tmp_path, "list.yaml", "- a\n")
    write(tmp_path, "map.yaml", "a: 1\n")
    write(tmp_path, "loop.yaml", "!include loop.yaml\n")
    zone = zone_of(tmp_path, "a: !include missing.yaml\nb: !include broken.yaml\n"
                             "c:\n  type: TXT\n  values: !include [list.yaml, map.yaml]\n"
                             "d: !include loop.yaml\n"
                             "www:\n  type: TXT\n  value: v=spf1 -all\n")
    assert [(n.code, n.line) for n in zone.notes] == [
        ("SPF603", 1), ("SPF603", 2), ("SPF603", 5), ("SPF603", 1)]
    assert "cannot read the file" in zone.notes[0].message
    assert "invalid YAML" in zone.notes[1].message
    assert zone.notes[3].path == str(tmp_path / "loop.yaml")
    assert [r.name for r in zone.records] == ["www.example.com"]


# --------------------------------------------------------------------------- split zones


SPLIT = {
    "$example.com.yaml": "---\n'':\n  - type: MX\n    value:\n      exchange: mail.example.com.\n"
                         "      preference: 10\n  - type: TXT\n    value: v=spf1 MX -all\n",
    "mail.yaml": "---\nmail:\n  type: A\n  value: 192.0.2.25\n",
    "_spf.yaml": "---\n# keep this comment\n_spf:\n  type: TXT\n"
                 "  value: v=spf1 IP4:192.0.2.0/24 -all\n",
}


def split_zone(tmp_path: Path) -> Path:
    directory = tmp_path / "zones" / "example.com."
    for name, text in SPLIT.items():
        write(directory, name, text)
    return directory


def test_split_zone_directory(tmp_path: Path) -> None:
    directory = split_zone(tmp_path)
    write(directory, "old.yml", "old:\n  type: A\n  value: 192.0.2.9\n")
    write(directory, "README", "not read\n")
    zone = read_zone(directory)
    assert (zone.path, zone.format, zone.origin) == (str(directory), "octodns", "example.com")
    assert [(r.name, Path(r.path).name, r.line) for r in zone.records] == [
        ("example.com", "$example.com.yaml", 8), ("_spf.example.com", "_spf.yaml", 5)]
    assert records(zone.data, "mail.example.com") == [("A", "192.0.2.25")]
    assert "old.example.com" not in zone.data.names  # octoDNS reads *.yaml files only
    [note] = zone.notes
    assert (note.code, Path(note.path).name, note.severity) == ("SPF603", "old.yml",
                                                                Severity.WARNING)
    assert set(map(os.path.basename, zone.contents)) == set(SPLIT)


def test_split_zone_problems(tmp_path: Path) -> None:
    directory = split_zone(tmp_path)
    write(directory, "bad.yaml", "www: [unclosed\n")
    write(directory, "again.yaml", "mail:\n  type: A\n  value: 192.0.2.26\n")
    zone = read_octodns(directory)
    assert sorted((Path(n.path).name, n.line, n.code) for n in zone.notes) == [
        ("bad.yaml", 2, "SPF603"), ("mail.yaml", 3, "SPF603")]
    assert len(zone.records) == 2
    with pytest.raises(ZoneFileError, match="cannot read"):
        read_octodns(tmp_path / "zones" / "example.org.")  # no such directory
    (tmp_path / "empty.example.org.").mkdir()
    with pytest.raises(ZoneFileError, match="without"):
        read_octodns(tmp_path / "empty.example.org.")


def test_split_zone_fix_rewrites_the_record_in_its_own_file(tmp_path: Path) -> None:
    directory = split_zone(tmp_path)
    before = {name: (directory / name).read_bytes() for name in SPLIT}
    zone = read_octodns(directory)
    style = Config(select=frozenset({"SPF401"}))  # the case fix is a style fix: selected
    texts = asyncio.run(minimal_texts([zone], style, repo_resolver([zone], offline=True)))
    assert sorted(texts.values()) == ["v=spf1 ip4:192.0.2.0/24 -all", "v=spf1 mx -all"]
    changes = plan_rewrite([zone], texts)
    assert [Path(c.path).name for c in changes] == ["$example.com.yaml", "_spf.yaml"]
    for change in changes:
        write_atomic(change.path, change.new, change.old_hash)
    after = {name: (directory / name).read_bytes() for name in SPLIT}
    assert after == {
        "$example.com.yaml": before["$example.com.yaml"].replace(b"MX -all", b"mx -all"),
        "mail.yaml": before["mail.yaml"],
        "_spf.yaml": before["_spf.yaml"].replace(b"IP4", b"ip4"),
    }
    assert [r.text for r in read_octodns(directory).records] == sorted(texts.values())[::-1]


def test_catch_all_file_is_not_a_zone() -> None:
    assert octodns_module.origin_from_path("zones/example.com./$example.com.yaml") is None
    assert octodns_module.origin_from_path("zones/example.com.") == "example.com"
    assert octodns_module.origin_from_path("zones/example.com.yaml") == "example.com"


# --------------------------------------------------------------------------- hostile input


def test_deep_nesting_is_refused_with_its_position(tmp_path: Path) -> None:
    for text in ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                 "a:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3000))]:
        with pytest.raises(ZoneFileError, match=f"nested deeper than {MAX_DEPTH}") as info:
            zone_of(tmp_path, text)
        assert info.value.line is not None and info.value.column is not None


def test_alias_bombs_are_refused_quickly(tmp_path: Path) -> None:
    values = ", ".join(["v=spf1 -all"] * 1000)
    bomb = f"x:\n  type: TXT\n  values: &v [{values}]\n" + "".join(
        f"n{i}:\n  type: TXT\n  values: *v\n" for i in range(3000))
    laughs = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10))
    started = time.monotonic()
    with pytest.raises(ZoneFileError, match="repeats its collections"):
        zone_of(tmp_path, bomb)
    # Nested aliases a level deeper than octoDNS reads are never expanded.
    zone = zone_of(tmp_path, laughs + "'':\n  type: TXT\n  values: *l9\n")
    # Entries that are no records (l0's ten, then one aliased list per name) and the values
    # that are lists (one aliased node): a node read again through an alias is noted once.
    assert len(zone.notes) == 10 + 9 + 1
    assert time.monotonic() - started < 20  # generous: the machine is shared


def test_recursive_structures_end(tmp_path: Path) -> None:
    zone = zone_of(tmp_path, "a: &a [*a]\nb: &m {type: TXT, value: v=spf1 -all, <<: *m}\n")
    assert [r.name for r in zone.records] == ["b.example.com"]
    assert [n.code for n in zone.notes] == ["SPF603", "SPF603"]


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "example.com.yaml"
    with path.open("wb") as handle:
        handle.truncate(octodns_module.MAX_ZONE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(ZoneFileError, match="over 64 MiB"):
        read_octodns(path)


def test_notes_are_capped(tmp_path: Path) -> None:
    text = "".join(f"n{i}:\n  type: txt\n  value: x\n" for i in range(MAX_NOTES + 50))
    zone = zone_of(tmp_path, text)
    assert len(zone.notes) == MAX_NOTES + 1
    assert zone.notes[-1].message.startswith("50 more SPF603")
