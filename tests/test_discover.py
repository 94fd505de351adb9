"""Finding zone files by content: sniffing, repository discovery, selection, lazy resolution."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spflint.dns.base import Outcome, ZoneData
from spflint.dns.layered import LayeredResolver
from spflint.dns.offline import OfflineResolver
from spflint.zones import ZoneFileError, read_bind, read_zone
from spflint.zones.check import read_zones, rest_of_repository, zone_files_in, zone_layers
from spflint.zones.discover import (
    MAX_ZONE_BYTES,
    ZoneSource,
    discover,
    find_repository_root,
    select,
    sniff_bytes,
    sniff_file,
)
from spflint.zones.model import ZoneFile
from spflint.zones.repo import RepoResolver, origins_below

ROOT = Path(__file__).resolve().parent.parent
REPOS = ROOT / "fixtures" / "repos"
LAYOUTS = ("octodns-root", "octodns-hostedzones", "octodns-split", "bind-include", "nsd-plain",
           "gdnsd")


def write(base: Path, name: str, data: str | bytes) -> Path:
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


def copy_repo(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(REPOS / name, target)
    (target / ".git").mkdir()  # the top of a repository, as far as discovery is concerned
    return target


def rel(root: Path, zones: list[ZoneSource]) -> list[tuple[str, str, str | None]]:
    return [(os.path.relpath(z.path, root), z.format, z.origin) for z in zones]


# --------------------------------------------------------------------------- one file


ZONE = (b"; example.com\n$ORIGIN example.com.\n$TTL 1h\n"
        b"@ IN SOA ns1 hostmaster ( 2024050101 ; serial\n  7200 900 1209600 300 )\n"
        b"  IN NS ns1\nns1 IN A 192.0.2.53\n@ IN TXT \"v=spf1 -all\" ; policy\n")


@pytest.mark.parametrize(("name", "data", "kind", "origin"), [
    ("db.example.com", ZONE, "bind", "example.com"),
    ("anything.txt", ZONE, "bind", "example.com"),
    ("example.com", b"@ 3600 IN SOA ns1 hm 1 2 3 4 5\n@ NS ns1\n@ TXT \"v=spf1 -all\"\n",
     "bind", "example.com"),
    ("zones.conf.zone", b"example.net. IN SOA ns1 hm 1 2 3 4 5\nwww A 192.0.2.1\n", "bind",
     "example.net"),
    ("master", b"www.example.org. 300 IN A 192.0.2.1\nmail.example.org. MX 10 mx\n", "bind",
     "www.example.org"),
    ("forward", b"@ IN SOA ns1 hm 1 2 3 4 5\n", "bind", None),  # SOA: a zone, origin unknown
    ("crlf.zone", ZONE.replace(b"\n", b"\r\n"), "bind", "example.com"),
    ("example.com", b"$TTL 86400\n@ SOA ns1 hm ( 1 2 3 4 5 )\nwww DYNA geoip!www\n"
                    b"cdn 300 DYNC weighted!cdn\n$ADDR_LIMIT_V4 4\n", "bind", "example.com"),
    ("db.example.com", b"@ IN TYPE65534 \\# 1 00\nx 300 IN NEWTYPE data\n", "bind",
     "example.com"),
    ("db.example.in", b"@ IN SOA ns1 hm 1 2 3 4 5\n@ TXT \"v=spf1 -all\"\n", "bind",
     "example.in"),  # India's domain, not an autoconf template
    ("records.inc", b"@ IN TXT \"v=spf1 -all\"\n_spf 300 IN TXT \"x\"\n", "bind", "records.inc"),
    ("spf", b"@ IN TXT \"v=spf1 -all\"\nbounce IN TXT \"v=spf1 ~all\"\n", "fragment", None),
    ("db.example.com.in", b"@ IN SOA ns1 hm @SERIAL@ 2 3 4 5\n", "template", None),
    ("db.example.com.tmpl", ZONE, "template", None),
    ("named.conf.j2", b"zone \"{{ name }}\" {};\n", "template", None),
    ("db.example.com", b"$ORIGIN {{ domain }}.\n@ IN A 192.0.2.1\n", "template", None),
    ("db.example.com", b"<% @zones.each do |z| %>\n@ IN A 192.0.2.1\n", "template", None),
    ("db.example.com.jnl", b";BIND LOG V8\n\x00\x00\x01binary", "binary", None),
    ("README.md", b"# DNS\n\nTo add a host, write\n\n    www IN A 192.0.2.80\n\nin the zone"
                  b" file, then reload the server.\nwww IN A 192.0.2.80\n", "text", None),
    ("db.py", b"import os\n\n\ndef render(zone):\n    return f\"{zone} IN A 192.0.2.1\"\n",
     "text", None),
    ("notes", b"Log in a minute.\nThe record is fine.\nAsk for help (anytime.\nwww IN A 1.2.3.4\n",
     "text", None),
    ("empty", b"; only a comment\n\n", "empty", None),
    ("db.example.com", b"", "empty", None),
])
def test_sniff_bind_family(name: str, data: bytes, kind: str, origin: str | None) -> None:
    verdict = sniff_bytes(name, data)
    assert (verdict.kind, verdict.origin) == (kind, origin), verdict
    assert verdict.is_zone is (kind == "bind")
    if not verdict.is_zone:
        assert verdict.reason


def test_sniff_reasons_say_what_the_file_is() -> None:
    assert sniff_bytes("named.conf.j2", b"x").reason == "a template (.j2)"
    assert sniff_bytes("z", b"$ORIGIN example.com.\n@ A {{ ip }}\n").reason == \
        "a template ('{{' on line 2)"
    assert sniff_bytes("x.jnl", b"\x00").reason == "a binary file"
    assert sniff_bytes("db.py", b"import os\nprint(1)\n").reason == \
        "not a zone file (line 1 is neither a record nor a directive)"
    prose = b"www IN A 192.0.2.1\n" + b"This is prose.\n" * 3
    assert sniff_bytes("README", prose).reason == \
        "not a zone file (3 of 4 lines are neither records nor directives; the first is line 2)"
    assert "an $INCLUDE fragment" in sniff_bytes("spf", b"@ TXT \"v=spf1 -all\"\n").reason


@pytest.mark.parametrize("path", [
    "basic/zones/db.example.com", "basic/zones/db.example.net", "messy/db.example.com",
    "bind-include/zones/db.example.com", "bind-include/zones/db.example.net",
    "nsd-plain/zones/example.com", "nsd-plain/zones/example.net",
])
def test_sniffed_origin_is_the_readers(path: str) -> None:
    verdict = sniff_file(str(REPOS / path))
    assert verdict.kind == "bind"
    assert verdict.origin == read_bind(REPOS / path).origin


@pytest.mark.parametrize(("text", "origin"), [
    ("$ORIGIN example.com.\nexample.net. IN SOA ns hm 1 2 3 4 5\n", "example.com"),
    ("example.net. IN SOA ns hm 1 2 3 4 5\n$ORIGIN example.com.\n@ A 192.0.2.1\n",
     "example.net"),
    ("www.example.org. A 192.0.2.1\nexample.net. IN SOA ns hm 1 2 3 4 5\n", "example.net"),
    ("www.example.org. A 192.0.2.1\n$ORIGIN example.com.\n", "example.com"),
    ("$TTL 300\nwww.example.org. A 192.0.2.1\n", "www.example.org"),
    ("$TTL 300\n@ IN SOA ns hm 1 2 3 4 5\n", "example.info"),
])
def test_origin_rules_follow_the_reader(tmp_path: Path, text: str, origin: str) -> None:
    path = write(tmp_path, "db.example.info", text)
    assert sniff_file(str(path)).origin == origin
    assert read_bind(path).origin == origin


def test_sniff_looks_at_a_bounded_head(tmp_path: Path) -> None:
    # A zone whose first 64 KiB are records: decided without reading the rest; the rest is
    # read only to find $INCLUDE targets.
    body = "".join(f"h{i} IN A 192.0.2.{i % 250}\n" for i in range(20_000))
    path = write(tmp_path, "db.example.com", f"$ORIGIN example.com.\n{body}$INCLUDE more.inc\n")
    verdict = sniff_file(str(path))
    assert verdict.kind == "bind" and verdict.includes == ("more.inc",)
    prose = write(tmp_path, "big.txt", "Some prose line.\n" * 100_000)
    assert sniff_file(str(prose)).kind == "text"


def test_includes_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "db.example.com",
                 '$ORIGIN example.com.\n$INCLUDE spf/a.inc\n$include "b c.inc" sub\n'
                 "; $INCLUDE not-this.inc\n$INCLUDE d.inc ; comment\n")
    assert sniff_file(str(path)).includes == ("spf/a.inc", "b c.inc", "d.inc")


@pytest.mark.parametrize(("name", "text", "kind", "origin"), [
    ("example.com.yaml", "---\n'':\n  - type: TXT\n    values:\n      - v=spf1 -all\n"
                         "_spf:\n  type: TXT\n  value: x\n", "octodns", "example.com"),
    ("example.com.yml", "# comment\n'': # the apex\n- type: A\n  value: 192.0.2.1\n"
                        "www:\n  - ttl: 300\n    type: CNAME\n    value: example.com.\n",
     "octodns", "example.com"),
    ("sub.example.co.uk.yaml", "\"\":\n    type: TXT\n    value: v=spf1 -all\n", "octodns",
     "sub.example.co.uk"),
    ("example.org.yaml", "{'': {type: TXT, value: 'v=spf1 -all'}}\n", "octodns", "example.org"),
    ("example.net.yaml", "'':\r\n  type: TXT\r\n  value: v=spf1 -all\r\n", "octodns",
     "example.net"),
    ("example.org.yaml", "'': {type: TXT, value: 'v=spf1 -all'}\nwww: *alias\n", "octodns",
     "example.org"),
    ("octodns.yaml", "providers:\n  config:\n    class: x\nzones:\n  example.com.: {}\n",
     "octodns-config", None),
    ("production.yaml", "manager:\n  max_workers: 2\n", "octodns-config", None),
    ("octodns.yaml", "{providers: {config: {class: x}}, zones: {}}\n", "octodns-config", None),
    ("example.com.yaml", "zones:\n  type: CNAME\n  value: dns.example.net.\n", "octodns",
     "example.com"),  # a record named "zones"
    ("www.yaml", "www:\n  type: A\n  value: 192.0.2.1\n", "octodns-records", None),
    ("$example.com.yaml", "'':\n  type: A\n  value: 192.0.2.1\n", "octodns-records", None),
    ("docker-compose.override.yml", "services:\n  web:\n    volumes:\n      - type: bind\n",
     "text", None),
    ("ci.example.yml", "name: CI\non: push\n", "text", None),
    ("list.example.yaml", "- type: A\n", "text", None),
    ("example.com.yaml", "", "empty", None),
    ("example.com.yaml", "'':\n  type: TXT\n  value: \"{{ spf }}\"\n", "template", None),
    ("example.com.yaml", "{'': [1, 2]}\n", "text", None),
    ("example.com.yaml", "{broken: [\n", "text", None),
])
def test_sniff_octodns(name: str, text: str, kind: str, origin: str | None) -> None:
    verdict = sniff_bytes(name, text.encode())
    assert (verdict.kind, verdict.origin) == (kind, origin), verdict


def test_special_files_are_never_opened_for_reading(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "db.example.com"
    os.mkfifo(fifo)
    assert sniff_file(str(fifo)).kind == "special"  # returns at once: no writer needed
    assert discover(str(tmp_path)).zones == []


def test_too_large_zone_is_skipped_with_a_note(tmp_path: Path) -> None:
    records = b"".join(b"h%d IN A 192.0.2.1\n" % i for i in range(5000))  # past the head
    path = write(tmp_path, "db.example.com", ZONE + records)
    with open(path, "r+b") as handle:
        handle.truncate(MAX_ZONE_BYTES + 1)  # sparse: the head is a zone, then zeros
    verdict = sniff_file(str(path))
    assert verdict.kind == "too-large" and "64 MiB" in verdict.reason
    found = discover(str(tmp_path))
    assert found.zones == [] and [s.path for s in found.skipped] == [str(path)]
    assert [(z.path, z.origin) for z in found.oversized] == [(str(path), "example.com")]
    # in the repository layer its names are unknown, not missing, and it is never read
    rest = RepoResolver(found.oversized)
    answer, _ = rest.walk("example.com", "TXT")
    assert answer is not None and answer.outcome is Outcome.UNKNOWN
    assert "too large" in rest.failures[0].message


# --------------------------------------------------------------------------- trees


EXPECTED = {
    "octodns-root": [("config/example.com.yaml", "octodns", "example.com"),
                     ("config/example.net.yaml", "octodns", "example.net")],
    "octodns-hostedzones": [("hostedzones/example.com.yaml", "octodns", "example.com"),
                            ("hostedzones/example.org.yaml", "octodns", "example.org")],
    "octodns-split": [("zones/example.com.", "octodns", "example.com"),
                      ("zones/example.net.", "octodns", "example.net")],
    "bind-include": [("zones/db.example.com", "bind", "example.com"),
                     ("zones/db.example.net", "bind", "example.net")],
    "nsd-plain": [("zones/example.com", "bind", "example.com"),
                  ("zones/example.net", "bind", "example.net")],
    "gdnsd": [("zones/example.com", "bind", "example.com"),
              ("zones/example.net", "bind", "example.net")],
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_finds_its_zones_and_nothing_else(tmp_path: Path, layout: str) -> None:
    root = copy_repo(tmp_path, layout)
    found = discover(str(root))
    assert rel(root, found.zones) == EXPECTED[layout]
    assert all(z.split is (layout == "octodns-split") for z in found.zones)
    assert zone_files_in(root) == [z.path for z in found.zones]


def test_templates_fragments_and_scripts_are_not_zones(tmp_path: Path) -> None:
    root = copy_repo(tmp_path, "bind-include")
    found = discover(str(root))
    kinds = {os.path.relpath(path, root): verdict.kind
             for path, verdict in found.verdicts.values()}
    assert kinds["named.conf.j2"] == kinds["templates/db.example.org.tmpl"] == "template"
    assert kinds["scripts/db.py"] == "text"
    fragment = str(root / "zones" / "spf" / "example.com.spf")
    assert found.included_by == {fragment: [str(root / "zones" / "db.example.com")]}


def test_octodns_configuration_names_directories_and_split_extension(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "config/octodns.yaml",
          "providers:\n  records:\n    class: octodns.provider.yaml.YamlProvider\n"
          "    directory: ./records\n    split_extension: ._split\n"
          "  other:\n    class: octodns.provider.yaml.YamlProvider\n"
          "    directory: env/ZONES_DIR\n"
          "zones:\n  example.com.: {sources: [records]}\n")
    write(root, "records/example.com._split/www.yaml", "www:\n  type: A\n  value: 192.0.2.1\n")
    # octoDNS reads every zone-named file of its directory, even one spflint cannot sniff
    write(root, "records/example.net.yaml", "# nothing yet\n")
    write(root, "records/example.org.yaml", "'': !include ../shared.yaml\n")
    write(root, "elsewhere/example.net.yaml", "# not in a provider directory\n")
    found = discover(str(root))
    assert rel(root, found.zones) == [
        ("records/example.com._split", "octodns", "example.com"),
        ("records/example.net.yaml", "octodns", "example.net"),
        ("records/example.org.yaml", "octodns", "example.org"),
    ]
    assert [s.split_extension for s in found.sources] == ["._split"]


def test_octodns_shared_file_is_not_a_zone(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    config = write(root, "octodns.yaml",
                   "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n"
                   "    directory: ./zones\n    shared_filename: shared.example.yaml\n")
    write(root, "zones/example.com.yaml", "'':\n  type: A\n  value: 192.0.2.1\n")
    shared = write(root, "zones/shared.example.yaml",
                   "_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=none\n")
    found = discover(str(root))
    assert rel(root, found.zones) == [("zones/example.com.yaml", "octodns", "example.com")]
    chosen = select([str(shared)], repository=found)
    assert chosen.zones == []
    assert [s.reason for s in chosen.skipped] == [
        f"records octoDNS adds to every zone of {config} (its shared_filename)"]


def test_hidden_vendored_and_outside_links_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = write(tmp_path, "outside/db.example.org", ZONE)
    for folder in (".git", ".github", "node_modules/pkg", "venv/lib", "site-packages/x",
                   "__pycache__"):
        write(root, f"{folder}/db.example.com", ZONE)
    inside = write(root, "zones/db.example.com", ZONE)
    os.symlink(outside, root / "zones" / "db.example.org")
    os.symlink(inside, root / "db.example.com")  # the same file again
    os.symlink(outside.parent, root / "linked")  # directories are never followed
    found = discover(str(root), root=str(root))
    assert [os.path.relpath(z.path, root) for z in found.zones] == ["zones/db.example.com"]
    assert [(os.path.relpath(s.path, root), s.reason) for s in found.skipped] == [
        ("zones/db.example.org", "a symlink to a file outside the repository")]


def test_file_count_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import spflint.zones.discover as discover_module

    monkeypatch.setattr(discover_module, "MAX_FILES", 3)
    for i in range(5):
        write(tmp_path, f"db.example{i}.com", ZONE)
    found = discover(str(tmp_path))
    assert found.examined == 3 and len(found.zones) == 3
    assert "more than 3 files" in found.skipped[0].reason


def test_repository_root_is_found_without_git(tmp_path: Path) -> None:
    (tmp_path / "a" / ".git").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    assert find_repository_root(str(tmp_path / "a" / "b" / "c")) == str(tmp_path / "a")
    (tmp_path / "a" / "b" / ".git").write_text("gitdir: ../.git/worktrees/b\n")  # a worktree
    assert find_repository_root(str(tmp_path / "a" / "b" / "c")) == str(tmp_path / "a" / "b")
    assert find_repository_root(str(tmp_path)) in (None, *map(str, tmp_path.parents))


# --------------------------------------------------------------------------- selection


def test_selection_maps_fragments_and_split_files_to_their_zones(tmp_path: Path) -> None:
    bind = copy_repo(tmp_path, "bind-include")
    found = discover(str(bind))
    chosen = select([str(bind / "zones/spf/example.com.spf"), str(bind / "README.missing"),
                     str(bind / "named.conf.j2"), str(bind / "zones/db.example.com")],
                    repository=found)
    assert [os.path.relpath(z.path, bind) for z in chosen.zones] == ["zones/db.example.com"]
    assert [(os.path.basename(s.path), s.reason) for s in chosen.skipped] == [
        ("named.conf.j2", "a template (.j2)")]
    assert [e.reason for e in chosen.errors] == [
        "cannot read the file: No such file or directory"]
    split = copy_repo(tmp_path, "octodns-split")
    found = discover(str(split))
    chosen = select([str(split / "zones/example.com./www.yaml"),
                     str(split / "zones/example.com./$example.com.yaml"),
                     str(split / "octodns.yaml")], repository=found)
    assert rel(split, chosen.zones) == [("zones/example.com.", "octodns", "example.com")]
    assert chosen.zones[0].split
    assert [s.reason for s in chosen.skipped] == ["an octoDNS configuration file"]


def test_selection_without_a_repository_sniffs_each_file(tmp_path: Path) -> None:
    root = copy_repo(tmp_path, "basic")
    paths = sorted(str(p) for p in root.iterdir() if p.name != ".git")  # spflint zone basic/*
    chosen = select(paths)
    assert [os.path.basename(z.path) for z in chosen.zones] == [
        "example.org.yaml", "db.example.com", "db.example.net"]
    assert [os.path.basename(s.path) for s in chosen.skipped] == ["pyproject.toml"]
    assert chosen.skipped[0].reason.startswith("not a zone file")
    assert chosen.errors == [] and chosen.given == 4
    (tmp_path / "empty").mkdir()
    chosen = select([tmp_path / "empty"])
    assert [(e.path, e.reason) for e in chosen.errors] == [
        (str(tmp_path / "empty"), "a directory without zone files")]


def test_directory_argument_inside_the_repository(tmp_path: Path) -> None:
    root = copy_repo(tmp_path, "octodns-split")
    found = discover(str(root))
    chosen = select([str(root / "zones")], repository=found)
    assert rel(root, chosen.zones) == EXPECTED["octodns-split"]
    chosen = select([str(root / "zones" / "example.net.")], repository=found)
    assert rel(root, chosen.zones) == [("zones/example.net.", "octodns", "example.net")]


def test_read_zones_reads_what_the_selection_chose(tmp_path: Path) -> None:
    root = copy_repo(tmp_path, "basic")
    write(root, "zones/db.example.com.jnl", b"\x00\x01binary journal")
    write(root, "zones/README.md", "# zones\n")
    write(root, "config/production.yaml", "providers: {}\n")
    write(root, "more/example.info.zone", '$ORIGIN example.info.\n@ IN TXT "v=spf1 -all"\n')
    zones, errors = read_zones([root, root / "zones" / "db.example.com"])
    assert errors == []
    assert [os.path.relpath(z.path, root) for z in zones] == [
        "more/example.info.zone", "octodns/example.org.yaml", "zones/db.example.com",
        "zones/db.example.net"]


# --------------------------------------------------------------------------- lazy answers


class _CountingReader:
    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, source: ZoneSource) -> ZoneFile:
        self.read.append(os.path.basename(source.path))
        return read_zone(source.path, origin=source.origin if source.split else None)


def _sources(root: Path, names: dict[str, str]) -> list[ZoneSource]:
    out = []
    for name, text in names.items():
        path = write(root, name, text)
        verdict = sniff_file(str(path))
        out.append(ZoneSource(str(path), verdict.kind, verdict.origin))
    return out


def test_repository_files_are_read_only_when_a_question_needs_them(tmp_path: Path) -> None:
    sources = _sources(tmp_path, {
        "db.example.com": '$ORIGIN example.com.\n@ TXT "v=spf1 include:_spf.example.net -all"\n',
        "db.example.net": '$ORIGIN example.net.\n_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"\n',
        "db.sub.example.net": '$ORIGIN sub.example.net.\n@ TXT "v=spf1 -all"\n',
        "db.example.org": '$ORIGIN example.org.\n@ TXT "v=spf1 -all"\n',
    })
    reader = _CountingReader()
    rest = RepoResolver(sources, reader=reader)
    assert rest.origins == {"example.com", "example.net", "sub.example.net", "example.org"}
    assert not rest.covers("example.info") and reader.read == []
    answer, _ = rest.walk("_spf.example.net", "TXT")
    assert answer is not None and answer.outcome is Outcome.OK
    assert reader.read == ["db.example.net"]
    # the closest origin answers: the child zone's file, not the parent's
    answer, _ = rest.walk("sub.example.net", "TXT")
    assert answer is not None and answer.records == ((b"v=spf1 -all",),)
    answer, _ = rest.walk("nothing.example.net", "TXT")
    assert answer is not None and answer.outcome is Outcome.NXDOMAIN
    rest.walk("_spf.example.net", "A")
    assert reader.read == ["db.example.net", "db.sub.example.net"]
    assert rest.failures == []


def test_unreadable_repository_file_makes_its_names_unknown_once(tmp_path: Path) -> None:
    sources = _sources(tmp_path, {
        "db.example.net": '$ORIGIN example.net.\n_spf TXT "v=spf1 -all\n',  # unterminated
        "db.example.org": '$ORIGIN example.org.\n@ TXT "v=spf1 -all"\n',
    })
    rest = RepoResolver(sources)
    assert rest.covers("_spf.example.net")
    for rdtype in ("TXT", "A", "MX"):
        answer, _ = rest.walk("_spf.example.net", rdtype)
        assert answer is not None and answer.outcome is Outcome.UNKNOWN
        assert "db.example.net" in answer.detail and answer.source.startswith("zonedata")
    answer, _ = rest.walk("example.org", "TXT")
    assert answer is not None and answer.outcome is Outcome.OK
    assert [(os.path.basename(f.path), f.origin) for f in rest.failures] == [
        ("db.example.net", "example.net")]
    assert "a quoted string runs past the end of the line" in rest.failures[0].message


def test_origin_found_by_reading_is_answered_too(tmp_path: Path) -> None:
    # discovery takes the file name; the first $ORIGIN comes after a record with an
    # absolute owner, which the reader takes
    path = write(tmp_path, "zone", 'www.example.com. A 192.0.2.1\n$ORIGIN example.com.\n'
                                   '@ TXT "v=spf1 -all"\n')
    rest = RepoResolver([ZoneSource(str(path), "bind", "www.example.com")])
    rest.covers("www.example.com")
    assert rest.covers("example.com")


def test_run_layers_cut_out_child_zones_held_by_other_files(tmp_path: Path) -> None:
    given = _sources(tmp_path, {"db.example.com": '$ORIGIN example.com.\n@ TXT "v=spf1 -all"\n'})
    others = _sources(tmp_path, {
        "db.mail.example.com": '$ORIGIN mail.example.com.\n@ TXT "v=spf1 -all"\n',
        "db.example.net": '$ORIGIN example.net.\n@ TXT "v=spf1 -all"\n'})
    zones = [read_zone(given[0].path)]
    rest = rest_of_repository(zones, [*given, *others])
    assert rest.origins == {"mail.example.com", "example.net"}
    first, second = zone_layers(zones, rest)
    assert first.zonedata.delegations == {"mail.example.com"}
    assert second is rest
    assert origins_below({"example.com"}, {"a.example.com", "example.com", "xexample.com"}) \
        == {"a.example.com"}


def _cuts_honoured() -> bool:
    data = ZoneData(apexes={"example.com"}, delegations={"sub.example.com"})
    return not OfflineResolver(data).covers("x.sub.example.com")


@pytest.mark.xfail(not _cuts_honoured(), strict=True,
                   reason="the offline resolver does not honour zone cuts yet")
def test_child_zone_in_another_file_answers_through_the_layers(tmp_path: Path) -> None:
    given = _sources(tmp_path, {"db.example.com": '$ORIGIN example.com.\n@ TXT "v=spf1 -all"\n'})
    others = _sources(tmp_path, {
        "db.mail.example.com": '$ORIGIN mail.example.com.\n@ TXT "v=spf1 ip4:192.0.2.1 -all"\n'})
    zones = [read_zone(given[0].path)]
    layered = LayeredResolver([*zone_layers(zones, rest_of_repository(zones, others)), None])
    answer = asyncio.run(layered.query("mail.example.com", "TXT"))
    assert answer.outcome is Outcome.OK


def test_discovery_imports_neither_yaml_nor_dnspython() -> None:
    code = ("import sys; import spflint.zones.discover as d; d.discover('fixtures/repos/"
            "bind-include'); print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('yaml', 'dns')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_zone_file_errors_are_positioned(tmp_path: Path) -> None:
    path = write(tmp_path, "db.example.com", '$ORIGIN example.com.\n@ TXT "open\n')
    with pytest.raises(ZoneFileError, match=r"db.example.com:2:7:"):
        read_zone(path)


def test_fragments_of_fragments_and_include_cycles(tmp_path: Path) -> None:
    write(tmp_path, "db.example.com", "$ORIGIN example.com.\n$INCLUDE a.inc\n")
    write(tmp_path, "db.example.net", "$ORIGIN example.net.\n$INCLUDE a.inc\n")
    write(tmp_path, "a.inc", '$INCLUDE b.inc\n@ TXT "v=spf1 -all"\n')
    write(tmp_path, "b.inc", '$INCLUDE a.inc\nmail TXT "v=spf1 -all"\n')  # a cycle
    found = discover(str(tmp_path))
    assert [os.path.basename(z.path) for z in found.zones] == ["db.example.com",
                                                               "db.example.net"]
    chosen = select([str(tmp_path / "b.inc")], repository=found)
    assert [os.path.basename(z.path) for z in chosen.zones] == ["db.example.com",
                                                                "db.example.net"]
