"""Tests for the zone-data loaders (openspf YAML and BIND master files) and name helpers."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import yaml

from spflint.dns import zonedata
from spflint.dns.base import NameData, Outcome
from spflint.dns.layered import build_resolver
from spflint.dns.names import normalize, parse_nameserver, to_dns_name, to_unicode
from spflint.errors import InputError
from spflint.zones import read_bind

ROOT = Path(__file__).resolve().parent.parent
ZONES = ROOT / "fixtures" / "zones"
# The openspf suite sits beside the repository, as for tests/test_conformance.py.
CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "rfc7208-tests.yml"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("example.com", "example.com"),
        ("  mail.Example.com  ", "mail.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("_spf.example.com", "_spf.example.com"),
        ("a" * 63 + ".example.com", "a" * 63 + ".example.com"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "the name is empty"),
        (".", "the name is empty"),
        ("a..example.com", "empty label"),
        ("example.com..", "empty label"),
        ("a" * 64 + ".example.com", "64 octets (at most 63)"),
        (".".join(["a" * 60] * 5), "octets (at most 253)"),
    ],
)
def test_normalize_rejects(raw: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalize(raw)


def test_normalize_253_octets_is_the_limit() -> None:
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(name) == 253
    assert normalize(name) == name
    with pytest.raises(InputError):
        normalize(name + "d")


def test_to_unicode_and_dns_name() -> None:
    assert to_unicode("xn--bcher-kva.example") == "bücher.example"
    assert to_unicode("xn--broken-.example") == "xn--broken-.example"
    assert to_dns_name("a.example").to_text() == "a.example."
    assert to_dns_name("").to_text() == "."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5300", ("::1", 5300)),
        ("[2001:DB8::1]", ("2001:db8::1", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ns.example.com",
        "1.2.3.4:",
        "1.2.3.4:0",
        "1.2.3.4:70000",
        "[::1",
        "[::1]x",
        "1.2.3.4:dns",
        "300.1.1.1",
    ],
)
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(InputError, match="invalid nameserver"):
        parse_nameserver(text)


# --------------------------------------------------------------------------- YAML


def test_yaml_fixture_shapes() -> None:
    data = zonedata.load(ZONES / "example.yml")
    assert data.source.endswith("example.yml")
    assert data.names["example.com"].records == [
        ("TXT", (b"v=spf1 mx include:_spf.example.com -all",)),
        ("TXT", (b"google-site-verification=abc123",)),
        ("MX", (10, "mx1.example.com")),
        ("MX", (20, "mx2.example.com")),
    ]
    # a list is several strings of one record
    assert data.names["_spf.example.com"].records == [
        ("TXT", (b"v=spf1 ip4:192.0.2.0/24 ", b"ip6:2001:db8::/32 -all"))
    ]
    assert data.names["mx2.example.com"].records == [
        ("A", "192.0.2.11"),
        ("AAAA", "2001:db8::11"),
    ]
    assert data.names["www.example.com"].records == [("CNAME", "example.com")]
    assert data.names["10.2.0.192.in-addr.arpa"].records == [("PTR", "mx1.example.com")]
    assert data.names["slow.example.com"] == NameData(timeout=True)
    assert data.names["broken.example.com"] == NameData(servfail=True)
    assert data.apexes == set()


def test_yaml_text_with_quirks() -> None:
    text = """
Example.COM.:
  - TXT: "v=spf1 a:\\xEF\\xBB\\xBFx.example -all"
  - SPF: []
  - NS: NS1.Example.com.
example.com:
  - TXT: second record
"""
    data = zonedata.load_yaml(text)
    assert data.source == "<text>"
    assert data.names["example.com"].records == [
        ("TXT", ("v=spf1 a:\u00ef\u00bb\u00bfx.example -all".encode(),)),
        ("SPF", ()),
        ("NS", "ns1.example.com"),
        ("TXT", (b"second record",)),
    ]


def test_yaml_scenario_document_and_several_documents(tmp_path: Path) -> None:
    path = tmp_path / "scenarios.yml"
    path.write_text(
        """---
description: first
tests:
  t1: {host: 1.2.3.4, result: pass}
zonedata:
  a.example: [{TXT: one}]
---
description: second
zonedata:
  a.example: [{TXT: two}]
  b.example: [TIMEOUT]
---
c.example:
  - A: 192.0.2.1
""",
        encoding="utf-8",
    )
    documents = zonedata.load_yaml_documents(path)
    assert [sorted(d.names) for d in documents] == [
        ["a.example"],
        ["a.example", "b.example"],
        ["c.example"],
    ]
    merged = zonedata.load_yaml(path)
    assert merged.source == str(path)
    assert merged.names["a.example"].records == [("TXT", (b"one",)), ("TXT", (b"two",))]
    assert merged.names["b.example"].timeout
    assert merged.names["c.example"].records == [("A", "192.0.2.1")]


def test_yaml_spf_as_txt_convention() -> None:
    text = """
both.example: [{TXT: v=spf1 -all}, {SPF: v=spf1 +all}]
spfonly.example: [{SPF: v=spf1 -all}, {TXT: NONE}]
generated.example: [{SPF: ["v=spf1", " -all"]}]
"""
    plain = zonedata.load_yaml(text)
    assert plain.names["generated.example"].records == [("SPF", (b"v=spf1", b" -all"))]
    assert plain.names["spfonly.example"].records == [("SPF", (b"v=spf1 -all",))]
    data = zonedata.load_yaml(text, spf_as_txt=True)
    assert data.names["both.example"].records == [
        ("TXT", (b"v=spf1 -all",)),
        ("SPF", (b"v=spf1 +all",)),
    ]
    assert data.names["spfonly.example"].records == [("SPF", (b"v=spf1 -all",))]
    assert data.names["generated.example"].records == [
        ("SPF", (b"v=spf1", b" -all")),
        ("TXT", (b"v=spf1", b" -all")),
    ]


def test_yaml_null_mx_and_empty_name() -> None:
    data = zonedata.load_yaml("nomail.example: [{MX: [0, '']}, {MX: [0, '.']}]\nempty.example:\n")
    assert data.names["nomail.example"].records == [("MX", (0, "")), ("MX", (0, ""))]
    assert data.names["empty.example"] == NameData()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a.example: [{TXT: ok}]\nb.example:\n  - BOGUS: 1\n", 3, "unknown record type 'BOGUS'"),
        ("a.example:\n  - A: 2001:db8::1\n", 2, "not a valid A record address"),
        ("a.example:\n  - AAAA: 192.0.2.1\n", 2, "not a valid AAAA record address"),
        ("a.example:\n  - MX: mail.example\n", 2, "MX takes [preference, host]"),
        ("a.example:\n  - MX: [high, mail.example]\n", 2, "MX preference must be 0-65535"),
        ("a.example:\n  - MX: [10, a..example]\n", 2, "empty label"),
        ("a.example:\n  - TXT:\n", 2, "TXT needs a value"),
        ("a.example:\n  - TXT: {x: 1}\n", 2, "TXT takes a string or a list of strings"),
        ("a.example:\n  - TXT: TIMEOUT\n", 2, "not supported"),
        ("a.example:\n  - LATER\n", 2, "unknown word 'LATER'"),
        ("a.example:\n  - 42\n", 2, "unknown word '42'"),
        ("a.example:\n  TXT: x\n", 2, "must be a list"),
        ("a.example:\n  - TXT: '" + "x" * 256 + "'\n", 2, "at most 255 octets"),
        ("\nx" + "y" * 64 + ".example: []\n", 2, "at most 63"),
        ("- just a list\n", 1, "expected a mapping"),
        ("zonedata: [1, 2]\n", 1, "'zonedata' must be a mapping"),
        ("a.example: [{TXT: x}\nb: [\n", 2, "invalid YAML"),
        ("a.example:\n  - TXT: ok\n  - TXT: [1, 2]\n", 3, "must be text, not '1'"),
        ("a.example:\n  - TXT: ['v=spf1 ', -1]\n", 2, "must be text, not '-1'"),
        ("a.example:\n  - SPF: 1.5\n", 2, "must be text, not '1.5'"),
        ("a.example:\n\n  - TXT: yes\n", 3, "must be text, not 'yes'"),
    ],
)
def test_yaml_errors_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        zonedata.load(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


def test_yaml_quoted_numbers_are_text() -> None:
    data = zonedata.load_yaml("a.example: [{TXT: ['1', \"2\"]}, {TXT: '2024-01-01'}]\n")
    assert data.names["a.example"].records == [("TXT", (b"1", b"2")),
                                               ("TXT", (b"2024-01-01",))]


def test_yaml_missing_file() -> None:
    with pytest.raises(InputError, match="cannot read zone data"):
        zonedata.load("no/such/file.yml")
    with pytest.raises(InputError, match="cannot read zone data"):
        zonedata.load_yaml("no/such/file.yaml")


@pytest.mark.skipif(not CONFORMANCE.exists(), reason="openspf conformance suite not present")
def test_every_conformance_scenario_loads() -> None:
    raw = list(yaml.safe_load_all(CONFORMANCE.read_text(encoding="utf-8")))
    documents = zonedata.load_yaml_documents(CONFORMANCE, spf_as_txt=True)
    assert len(documents) == len(raw) > 10
    for scenario, data in zip(raw, documents, strict=True):
        expected = {normalize(str(name)) for name in scenario["zonedata"]}
        assert set(data.names) == expected, scenario["description"]
        for name, entry in data.names.items():
            for rdtype, value in entry.records:
                if rdtype in ("TXT", "SPF"):
                    assert isinstance(value, tuple)
                    assert all(isinstance(s, bytes) for s in value), name
    by_description = {d["description"]: z for d, z in zip(raw, documents, strict=True)}
    initial = by_description["Initial processing"]
    # non-ASCII text is kept, UTF-8 encoded
    assert ("TXT", (b"v=spf1 a:example.net -all",)) in initial.names["nothosed.example.com"].records
    assert ("TXT", ("\x96".encode(),)) in initial.names["nothosed.example.com"].records
    assert initial.names["example.com"].timeout
    assert ("SPF", ()) in initial.names["null.example.com"].records
    lookup = by_description["Record lookup"]
    assert lookup.names["spfonly.example.net"].records == [("SPF", (b"v=spf1 -all",))]
    assert lookup.names["spftimeout.example.net"].timeout
    # upper-case owner names are normalised
    assert any(name.endswith(".e.b.a.b.e.f.a.c.ip6.arpa") for d in documents for name in d.names)


# --------------------------------------------------------------------------- BIND


def test_bind_fixture() -> None:
    data = zonedata.load(ZONES / "example.org.zone")
    assert data.apexes == {"example.org"}
    names = data.names
    assert names["example.org"].records == [
        ("NS", "ns1.example.org"),
        ("NS", "ns2.example.net"),
        ("MX", (10, "mail.example.org")),
        ("TXT", (b"v=spf1 mx include:_spf.example.org -all",)),
    ]
    # multi-line parenthesised TXT with several strings kept separate
    assert names["_spf.example.org"].records == [
        ("TXT", (b"v=spf1 ip4:198.51.100.0/24 ", b"ip4:203.0.113.0/24 -all"))
    ]
    assert names["mail.example.org"].records == [
        ("A", "198.51.100.25"),
        ("AAAA", "2001:db8::25"),
    ]
    assert names["quoted.example.org"].records == [
        ("TXT", (b'say "hi"', b"semi;colon", "été".encode()))
    ]
    assert names["alias.example.org"].records == [("CNAME", "mail.example.org")]
    assert names["old.example.org"].records == [("SPF", (b"v=spf1 -all",))]
    assert "a.b.deep.example.org" in names
    # a later $ORIGIN makes relative names relative to it
    assert names["host.sub.example.org"].records == [("A", "198.51.100.26")]


def test_bind_origin_from_soa_without_origin_directive() -> None:
    data = zonedata.load(ZONES / "example.net.zone")
    assert data.apexes == {"example.net"}
    assert data.names["example.net"].records == [
        ("TXT", (b"v=spf1 a -all",)),
        ("A", "192.0.2.80"),
    ]


def test_bind_origin_argument(tmp_path: Path) -> None:
    path = tmp_path / "db.relative"
    path.write_text('$TTL 60\n@ IN TXT "v=spf1 -all"\nwww IN A 192.0.2.1\n', encoding="utf-8")
    with pytest.raises(InputError, match="origin is unknown"):
        zonedata.load(path)
    data = zonedata.load(path, origin="Example.COM.")
    assert data.apexes == {"example.com"}
    assert data.names["example.com"].records == [("TXT", (b"v=spf1 -all",))]
    assert data.names["www.example.com"].records == [("A", "192.0.2.1")]


def test_bind_first_absolute_name_without_soa(tmp_path: Path) -> None:
    path = tmp_path / "plain.zone"
    path.write_text(
        '$TTL 60\nexample.info. IN TXT "v=spf1 -all"\nmail IN A 192.0.2.9\n', encoding="utf-8"
    )
    data = zonedata.load(path)
    assert data.apexes == {"example.info"}
    assert set(data.names) == {"example.info", "mail.example.info"}


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('x IN TXT "unterminated\n', 3, "quoted string"),
        ("x IN A 1.2.3\n", 3, "invalid A record"),
        ("x IN MX 10 a..b\n", 3, "invalid name 'a..b': an empty label"),
        ('x IN TXT "' + "a" * 300 + '"\n', 3, "at most 255 octets, this one has 300"),
        ('ok IN TXT "fine"\n\n; comment\ny IN MX mail\n', 6, "invalid MX record"),
        ("x IN TXT ( \"open\"\n", 3, "'(' is never closed"),
    ],
)
def test_bind_errors_name_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "bad.zone"
    path.write_text(f'$ORIGIN example.com.\n@ 60 IN TXT "v=spf1 -all"\n{body}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        zonedata.load(path)
    # file:line:column: message
    assert re.match(rf"{re.escape(str(path))}:{line}:\d+: ", str(info.value)), str(info.value)
    assert message in str(info.value)


def test_bind_origin_from_file_name_as_zone_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "db.example.com"
    path.write_text('@ IN TXT "v=spf1 include:_spf.example.com -all"\n'
                    '_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n', encoding="utf-8")
    data = zonedata.load(path)
    assert data.apexes == {"example.com"}
    assert data.names["example.com"].records == [
        ("TXT", (b"v=spf1 include:_spf.example.com -all",))]
    # the same data as `spflint zone` reads from the file
    assert data == read_bind(path).data
    for name in (ZONES / "example.org.zone", ZONES / "example.net.zone"):
        assert zonedata.load(name) == read_bind(name).data
    # --dns-data answers from it
    resolver = build_resolver(dns_data_files=[path], offline=True)
    answer = asyncio.run(resolver.query("_spf.example.com", "TXT"))
    assert answer.records == ((b"v=spf1 ip4:192.0.2.0/24 -all",),)
    assert asyncio.run(resolver.query("nothere.example.com", "TXT")).outcome is Outcome.NXDOMAIN


def test_bind_without_ttl_directive(tmp_path: Path) -> None:
    path = tmp_path / "nottl.zone"
    path.write_text('$ORIGIN example.com.\n@ IN TXT "v=spf1 -all"\n', encoding="utf-8")
    assert zonedata.load(path).names["example.com"].records == [("TXT", (b"v=spf1 -all",))]


def test_bind_include_is_read_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "inc.zone"
    path.write_text('$ORIGIN example.com.\n@ IN TXT "a"\n$INCLUDE spf.inc\n', encoding="utf-8")
    (tmp_path / "sub" / "spf.inc").write_text('_spf IN TXT "v=spf1 -all"\n', encoding="utf-8")
    data = zonedata.load(path)
    assert data.names["_spf.example.com"].records == [("TXT", (b"v=spf1 -all",))]
    (tmp_path / "sub" / "spf.inc").unlink()
    with pytest.raises(InputError, match=r"inc\.zone:3:10: cannot read the file"):
        zonedata.load(path)


def test_bind_missing_file() -> None:
    with pytest.raises(InputError, match="cannot read zone file"):
        zonedata.load("no/such/zone.db")


def test_merge() -> None:
    yml = zonedata.load(ZONES / "example.yml")
    bind = zonedata.load(ZONES / "example.org.zone")
    extra = zonedata.load_yaml("example.com: [{A: 192.0.2.99}, SERVFAIL]")
    merged = zonedata.merge(yml, bind, extra)
    assert merged.apexes == {"example.org"}
    assert ("A", "192.0.2.99") in merged.names["example.com"].records
    assert ("MX", (10, "mx1.example.com")) in merged.names["example.com"].records
    assert merged.names["example.com"].servfail
    assert "mail.example.org" in merged.names
    assert merged.source == f"{ZONES / 'example.yml'}, {ZONES / 'example.org.zone'}, <text>"
    # merging never changes its inputs
    assert not yml.names["example.com"].servfail
