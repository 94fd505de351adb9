"""Record-text columns traced back to the zone file: BIND strings and octoDNS scalars."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from spflint.cli import main
from spflint.zones import read_zone
from spflint.zones.positions import record_map

BIND = """\
$ORIGIN example.com.
$TTL 3600
@ IN SOA ns.example.com. host.example.com. ( 1 7200 3600 1209600 3600 )
@ IN NS ns.example.com.
ns IN A 192.0.2.53
@ IN TXT "v=spf1 ipv4:192.0.2.1 -all"
multi IN TXT ( "v=spf1 ip4:192.0.2.0/24 "
        "ptr ipv4:198.51.100.1"   ; a comment between strings
        " -all" )
esc IN TXT "v=spf1 \\105p4:1.2.3.4 ipv4:1.2.3.5 \\"x -all"
héllo IN TXT "v=spf1 ipv4:1.2.3.4 ~all"
split IN TXT "v=spf1 ip4:192.0.2.1 ipv" "4:192.0.2.2 -all"
bare IN TXT v=spf1
"""

OCTODNS = """\
---
'':
  type: TXT
  value: v=spf1 ipv4:192.0.2.1 -all
dq:
  type: TXT
  value: "v=spf1 ipv4:192.0.2.1\\
    \\ \\x70tr -all"
sq:
  type: TXT
  value: 'v=spf1 it''s ipv4:1.2.3.4
    -all'
folded:
  type: TXT
  value: >-
    v=spf1 ipv4:192.0.2.1
    ptr -all
lit:
  type: TXT
  value: |-
    v=spf1 ipv4:192.0.2.1 ptr -all
chunk:
  type: TXT
  value: '"v=spf1 ipv4:1.2.3.4 " "ptr -all"'
semi:
  type: TXT
  value: v=spf1 exp=a\\;b ipv4:1.2.3.4 -all
plain:
  type: TXT
  values:
  - v=spf1 ip4:1.2.3.4
    ipv4:1.2.3.5   ptr

    -all
anchored:
  type: TXT
  value: &spf v=spf1 ipv4:10.0.0.1 -all
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _span_text(lines: list[str], span: tuple[int, int, int, int]) -> str:
    line, column, end_line, end_column = span
    if line == end_line:
        return lines[line - 1][column - 1 : end_column - 1]
    middle = lines[line : end_line - 1]
    last = lines[end_line - 1][: end_column - 1]
    return "\n".join([lines[line - 1][column - 1 :], *middle, last])


@pytest.mark.parametrize(("name", "text", "fmt"), [
    ("example.com.zone", BIND, "bind"),
    ("example.org.yaml", OCTODNS, "octodns"),
])
def test_every_literal_character_maps_to_itself(tmp_path: Path, name: str, text: str,
                                                fmt: str) -> None:
    path = _write(tmp_path, name, text)
    zone = read_zone(path)
    lines = text.split("\n")
    data = path.read_bytes()
    records = zone.spf_records
    assert len(records) == (6 if fmt == "bind" else 9)
    for record in records:
        mapping = record_map(record, data, fmt)
        assert mapping is not None, record.name
        for index, char in enumerate(record.text):
            span = mapping.span(index + 1, index + 2)
            assert span is not None
            written = _span_text(lines, (span.line, span.column, span.end_line,
                                         span.end_column))
            # Written as itself, or as an escape or a folded line break that stands for it.
            assert written == char or written.startswith("\\") or (
                char == " " and written.strip(" \n") == "") or written == "''", (
                record.name, index, char, written)


def _positions(tmp_path: Path, name: str, text: str) -> dict[tuple[str, str], list[object]]:
    _write(tmp_path, name, text)
    result = CliRunner().invoke(main, ["zone", "--no-repo", "--offline", "-f", "json",
                                       str(tmp_path / name)])
    doc = json.loads(result.stdout)
    lines = text.split("\n")
    out: dict[tuple[str, str], list[object]] = {}
    for finding in doc["diagnostics"]:
        if "file_line" not in finding:
            continue
        span = (finding["file_line"], finding["file_column"], finding["file_end_line"],
                finding["file_end_column"])
        out.setdefault((finding["domain"], finding["code"]), []).append(
            (*span, _span_text(lines, span)))
    return out


def test_bind_findings_point_into_the_file(tmp_path: Path) -> None:
    found = _positions(tmp_path, "example.com.zone", BIND)
    assert found[("example.com", "SPF101")] == [(6, 18, 6, 22, "ipv4")]
    # The second of three strings, on the record's second line.
    assert found[("multi.example.com", "SPF101")] == [(8, 14, 8, 18, "ipv4")]
    # After a \DDD escape and before a \" one, columns of the file (not of the text).
    assert found[("esc.example.com", "SPF101")][0] == (10, 35, 10, 39, "ipv4")
    # Characters, not bytes: 'é' is one column.
    assert found[("xn--hllo-bpa.example.com", "SPF101")] == [(11, 22, 11, 26, "ipv4")]
    # A term split between two strings spans the quotes between them.
    split = found[("split.example.com", "SPF101")]
    assert split[0][:2] == (12, 36) and split[0][4] == 'ipv" "4'


def test_octodns_findings_point_into_the_file(tmp_path: Path) -> None:
    found = _positions(tmp_path, "example.org.yaml", OCTODNS)
    assert found[("example.org", "SPF101")] == [(4, 17, 4, 21, "ipv4")]
    assert found[("dq.example.org", "SPF101")] == [(7, 18, 7, 22, "ipv4")]
    assert (11, 24, 11, 28, "ipv4") in found[("sq.example.org", "SPF101")]
    assert found[("folded.example.org", "SPF101")] == [(16, 12, 16, 16, "ipv4")]
    assert found[("lit.example.org", "SPF101")] == [(21, 12, 21, 16, "ipv4")]
    assert found[("chunk.example.org", "SPF101")] == [(24, 19, 24, 23, "ipv4")]
    # '\;' is one character of the published text, two of the file.
    assert (27, 22, 27, 24, "\\;") in found[("semi.example.org", "SPF102")]
    assert found[("plain.example.org", "SPF101")] == [(32, 5, 32, 9, "ipv4")]
    # After an anchor: the scalar's own text.
    assert found[("anchored.example.org", "SPF101")] == [(37, 22, 37, 26, "ipv4")]


def test_unmappable_record_keeps_the_record_line_only(tmp_path: Path) -> None:
    path = _write(tmp_path, "example.com.zone", BIND)
    zone = read_zone(path)
    record = zone.spf_records[0]
    data = path.read_bytes()
    # The file changed under the record: the text no longer matches, so no position.
    changed = data.replace(b"ipv4:192.0.2.1", b"ipv6:192.0.2.1")
    assert record_map(record, changed, "bind") is None
    assert record_map(record, data, "unknown-format") is None
    mapping = record_map(record, data, "bind")
    assert mapping is not None
    assert mapping.span(0) is None and mapping.span(len(record.text) + 2) is None
    # The column just after the text is an empty range at its end.
    end = mapping.span(len(record.text) + 1)
    assert end is not None and (end.column, end.end_column) == (37, 37)
