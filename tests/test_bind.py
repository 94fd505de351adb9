"""BIND-family master files: $GENERATE, skipped entries, zone cuts, bounded and confined input,
what NSD, Knot, CoreDNS and gdnsd accept, and agreement with dnspython at size."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import dns.rdatatype
import dns.zone
import pytest

from spflint.dns import zonedata
from spflint.errors import InputError
from spflint.zones import ZoneFileError, bind, read_bind
from spflint.zones.bind import read_bounded


def write(path: Path, text: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


def records(zone: bind.ZoneFile, name: str) -> list[tuple[str, object]]:
    return zone.data.names[name].records


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (the reads under test must never block)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("the read blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- $GENERATE


def test_generate_expands_the_modelled_types(tmp_path: Path) -> None:
    path = write(tmp_path / "db.example.com", (
        "$ORIGIN example.com.\n$TTL 1h\n"
        "$GENERATE 1-3 host$ A 192.0.2.$\n"
        "$GENERATE 10-20/5 dyn${0,3} 300 IN AAAA 2001:db8::${0,0,x}\n"
        "$GENERATE 1-2 alias$ IN CNAME host$\n"
        "$GENERATE 1-2 mx$ MX 10 mail$.example.net.\n"  # unquoted data over several tokens
        '$GENERATE 1-2 m$ MX "20 relay$"\n'  # BIND: one quoted field, read again
        "$GENERATE 0-1 s$ NS ns$.other.example.\n"
        "$GENERATE 5-6 ${-4}.ptr PTR host-$$-\\$.example.org.\n"
        "$GENERATE 1-1 _spf$ TXT \"v=spf1 ip4:192.0.2.$/32 -all\"\n"
        "$GENERATE 1-1 one$ TXT \"\\\"v=spf1 ip4:198.51.100.$ -all\\\"\"\n"
        "$GENERATE 1-3 _sip._tcp.h$ SRV 0 5 5060 host$\n"))
    zone = read_bind(path)
    assert records(zone, "host1.example.com") == [("A", "192.0.2.1")]
    assert records(zone, "host3.example.com") == [("A", "192.0.2.3")]
    assert "host4.example.com" not in zone.data.names
    assert records(zone, "dyn015.example.com") == [("AAAA", "2001:db8::f")]
    assert {n for n in zone.data.names if n.startswith("dyn")} == {
        "dyn010.example.com", "dyn015.example.com", "dyn020.example.com"}
    assert records(zone, "alias2.example.com") == [("CNAME", "host2.example.com")]
    assert records(zone, "mx1.example.com") == [("MX", (10, "mail1.example.net"))]
    assert records(zone, "m2.example.com") == [("MX", (20, "relay2.example.com"))]
    assert records(zone, "1.ptr.example.com") == [("PTR", "host-$-$.example.org")]
    # The quoted field is read again as record data: BIND makes three strings of it.
    assert records(zone, "_spf1.example.com") == [
        ("TXT", (b"v=spf1", b"ip4:192.0.2.1/32", b"-all"))]
    assert records(zone, "one1.example.com") == [("TXT", (b"v=spf1 ip4:198.51.100.1 -all",))]
    # Generated TXT records answer questions but are not records of the file.
    assert zone.records == []
    # SRV is a type spflint does not model: names exist, nothing is noted.
    assert records(zone, "_sip._tcp.h1.example.com") == []
    assert zone.notes == []
    assert zone.data.delegations == {"s0.example.com", "s1.example.com"}


def test_generate_nibbles_and_bases() -> None:
    assert bind._expand(b"${0,4,n}", 0x1ab) == b"b.a.1"  # width counts the dots too
    assert bind._expand(b"${0,7,n}", 0x1ab) == b"b.a.1.0"
    assert bind._expand(b"${0,0,N}", 0x1ab) == b"B.A.1"
    assert bind._expand(b"${1,3,o}|${0,2,X}|$$|\\$|$", 9) == b"012|09|$|\\$|9"
    for bad in (b"${1", b"${a}", b"${0,1,q}", b"${0,200}"):
        with pytest.raises(ValueError):
            bind._expand(bad, 1)


@pytest.mark.parametrize(("line", "column", "words"), [
    ("$GENERATE 5-1 h$ A 192.0.2.$", 11, "START <= STOP"),
    ("$GENERATE 1-x h$ A 192.0.2.$", 11, "START-STOP"),
    ("$GENERATE 1-2 h$ A", 1, "needs a range, an owner, a type and the data"),
    ("$GENERATE 1-2 h${1 A 192.0.2.$", 15, "'${' without its '}'"),
    ("$GENERATE 1-2 h${x} A 192.0.2.$", 15, "${offset,width,base}"),
    ("$GENERATE 1-300 h$ A 192.0.2.$", 22, "invalid A record"),
])
def test_generate_errors_are_positioned(tmp_path: Path, line: str, column: int,
                                        words: str) -> None:
    path = write(tmp_path / "db.example.com", f"$ORIGIN example.com.\n{line}\n")
    with pytest.raises(ZoneFileError) as info:
        read_bind(path)
    assert (info.value.line, info.value.column) == (2, column)
    assert words in info.value.reason


def test_generate_is_capped_per_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bind, "MAX_GENERATED", 100)
    path = write(tmp_path / "db.example.com", (
        "$ORIGIN example.com.\n$GENERATE 1-60 a$ A 192.0.2.$\n"
        "$GENERATE 1-60 b$ A 192.0.2.$\n$GENERATE 1-40 c$ A 192.0.2.$\n"))
    zone = read_bind(path)
    assert "a60.example.com" in zone.data.names and "c40.example.com" in zone.data.names
    assert not any(n.startswith("b") for n in zone.data.names)
    (note,) = zone.notes
    assert (note.code, note.line, note.column, note.term) == ("SPF602", 3, 11, "$GENERATE")
    assert "60 records skipped" in note.message and "100" in note.message


# --------------------------------------------------------------------------- skipped entries


GDNSD = """\
$TTL 86400
$ADDR_LIMIT_V4 2
@     SOA ns1 hostmaster ( 1 7200 30M 3D 900 )
@     NS  ns1
ns1   A   192.0.2.1
www   600/10  DYNA    geoip!www-pool
cdn           DYNC    weighted!cdn
@     TXT "v=spf1 a:www.example.com -all"
_sip._tcp 1800 SRV 5 500 5060 www
@     CAA 0 issue "ca.example.net"
"""


def test_unknown_types_and_directives_become_notes(tmp_path: Path) -> None:
    path = write(tmp_path / "example.com.zone", GDNSD)
    zone = read_bind(path)
    assert zone.origin == "example.com"
    assert [(n.code, n.line, n.column, n.term) for n in zone.notes] == [
        ("SPF602", 2, 1, "$ADDR_LIMIT_V4"), ("SPF602", 6, 15, "DYNA"),
        ("SPF602", 7, 15, "DYNC")]
    assert all(n.path == path for n in zone.notes)
    assert "'DYNA'" in zone.notes[1].message and "skipped" in zone.notes[1].message
    # The names still exist; the rest of the file is read.
    assert records(zone, "www.example.com") == []
    assert records(zone, "cdn.example.com") == []
    assert [r.text for r in zone.spf_records] == ["v=spf1 a:www.example.com -all"]
    assert records(zone, "ns1.example.com") == [("A", "192.0.2.1")]


def test_notes_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bind, "MAX_NOTES", 3)
    body = "".join(f"h{i} DYNA plugin!x\n" for i in range(7))
    zone = read_bind(write(tmp_path / "db.example.com", "$ORIGIN example.com.\n" + body))
    assert [n.line for n in zone.notes] == [2, 3, 4, 5]
    assert "4 more skipped entries" in zone.notes[-1].message
    assert zone.notes[-1].term is None


def test_text_of_a_file_that_is_not_a_zone_is_never_echoed(tmp_path: Path) -> None:
    secret = write(tmp_path / "secrets", "password hunter2\napi_key s3cr3t-t0ken\n")
    zone = read_bind(secret, origin="example.com")
    assert len(zone.notes) == 2
    shown = " ".join(f"{n.message} {n.term}" for n in zone.notes)
    assert "hunter2" not in shown and "s3cr3t" not in shown
    shadow = write(tmp_path / "shadow",
                   "root:$6$saltsalt$" + "x" * 70 + ":19000:0:99999:7:::\n")
    with pytest.raises(ZoneFileError) as info:
        read_bind(shadow, origin="example.com")
    assert "saltsalt" not in str(info.value) and "xxxx" not in str(info.value)
    # Once a file has read as a zone, its own text is quoted to help.
    zone = read_bind(write(tmp_path / "db.example.com",
                           "$ORIGIN example.com.\nwww FROB 1\n"))
    assert zone.notes[0].term == "FROB" and "'FROB'" in zone.notes[0].message


# --------------------------------------------------------------------------- zone cuts


def test_ns_below_the_apex_is_a_zone_cut(tmp_path: Path) -> None:
    write(tmp_path / "sub.inc", "@ NS ns1.sub.example.com.\n")
    path = write(tmp_path / "db.example.com", (
        "$ORIGIN example.com.\n@ NS ns1\n@ NS ns.example.net.\nns1 A 192.0.2.1\n"
        "dept NS ns1.dept\nns1.dept A 192.0.2.53\nns1.dept AAAA 2001:db8::53\n"
        "deep.er NS ns.example.net.\nother.example.org. NS ns.example.net.\n"
        "$INCLUDE sub.inc sub\n"))
    zone = read_bind(path)
    assert zone.data.delegations == {"dept.example.com", "deep.er.example.com",
                                     "sub.example.com"}
    # Glue stays data; the resolver decides what it may answer.
    assert records(zone, "ns1.dept.example.com") == [("A", "192.0.2.53"),
                                                     ("AAAA", "2001:db8::53")]
    assert zonedata.load(path).delegations == zone.data.delegations


# --------------------------------------------------------------------------- bounded input


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "db.example.com"
    os.mkfifo(fifo)
    with deadline(10), pytest.raises(ZoneFileError) as info:
        read_bind(fifo)
    assert "not a regular file (a FIFO)" in info.value.reason and info.value.line is None
    (tmp_path / "inc").mkdir()
    os.mkfifo(tmp_path / "inc" / "pipe")
    path = write(tmp_path / "inc" / "db.example.org", "$ORIGIN example.org.\n$INCLUDE pipe\n")
    with deadline(10), pytest.raises(ZoneFileError) as info:
        read_bind(path)
    assert (info.value.line, info.value.column) == (2, 10)
    assert "a FIFO" in info.value.reason
    with deadline(10), pytest.raises(InputError, match="not a regular file"):
        zonedata.load(fifo)


@pytest.mark.skipif(sys.platform == "win32", reason="needs /dev")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    path = write(tmp_path / "db.example.com", f"$ORIGIN example.com.\n$INCLUDE {device}\n")
    with deadline(10), pytest.raises(ZoneFileError) as info:
        read_bind(path, allowed_root="/")
    assert "a character device" in info.value.reason
    with deadline(10), pytest.raises(ZoneFileError, match="a character device"):
        read_bounded(device)


def test_directory_and_size_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dir.inc").mkdir()
    path = write(tmp_path / "db.example.com", "$ORIGIN example.com.\n$INCLUDE dir.inc\n")
    with pytest.raises(ZoneFileError, match=r"not a regular file \(a directory\)"):
        read_bind(path)
    big = write(tmp_path / "big.zone", "$ORIGIN example.com.\n" + "x A 192.0.2.1\n" * 100)
    monkeypatch.setattr(bind, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ZoneFileError) as info:
        read_bind(big)
    assert "larger than 1,000 bytes" in info.value.reason and info.value.line is None
    with pytest.raises(InputError, match="larger than"):
        zonedata.load(big)


def test_total_bytes_through_include_are_capped(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "part.inc", "x A 192.0.2.1\n" * 40)  # 560 bytes
    top = write(tmp_path / "db.example.com",
                "$ORIGIN example.com.\n" + "$INCLUDE part.inc\n" * 3)
    assert len(read_bind(top).contents) == 2
    monkeypatch.setattr(bind, "MAX_INCLUDED_BYTES", 1500)
    with pytest.raises(ZoneFileError) as info:
        read_bind(top)
    assert info.value.line == 4 and "add up to more than 1,500 bytes" in info.value.reason


def test_include_depth_and_count_are_capped(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(20):
        write(tmp_path / f"{i}.inc", f"$INCLUDE {i + 1}.inc\n")
    write(tmp_path / "20.inc", "x A 192.0.2.1\n")
    top = write(tmp_path / "db.example.com", "$ORIGIN example.com.\n$INCLUDE 0.inc\n")
    with pytest.raises(ZoneFileError, match=f"more than {bind.MAX_INCLUDE_DEPTH} files deep"):
        read_bind(top)
    monkeypatch.setattr(bind, "MAX_INCLUDES", 2)
    write(tmp_path / "leaf.inc", "x A 192.0.2.1\n")
    many = write(tmp_path / "db.example.net", "$ORIGIN example.net.\n" + "$INCLUDE leaf.inc\n" * 3)
    with pytest.raises(ZoneFileError, match="more than 2 \\$INCLUDE"):
        read_bind(many)


def test_include_is_confined(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.inc", "leak A 192.0.2.1\n")
    repo = tmp_path / "repo"
    top = write(repo / "zones" / "db.example.com",
                "$ORIGIN example.com.\n$INCLUDE ../../outside/secret.inc\n")
    with pytest.raises(ZoneFileError) as info:
        read_bind(top)
    assert (info.value.line, info.value.column) == (2, 10)
    assert "outside the directories" in info.value.reason
    # A symbolic link inside the tree does not lead out of it.
    if hasattr(os, "symlink"):
        os.symlink(outside, repo / "zones" / "link.inc")
        linked = write(repo / "zones" / "db.example.org",
                       "$ORIGIN example.org.\n$INCLUDE link.inc\n")
        with pytest.raises(ZoneFileError, match="outside the directories"):
            read_bind(linked)
    # The caller may allow more.
    zone = read_bind(top, allowed_root=tmp_path)
    assert "leak.example.com" in zone.data.names
    zone = read_bind(top, allowed_root=[repo, tmp_path / "outside"])
    assert "leak.example.com" in zone.data.names


def test_include_reaches_the_whole_work_tree(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "common" / "spf.inc", '_spf TXT "v=spf1 -all"\n')
    top = write(tmp_path / "zones" / "db.example.com",
                "$ORIGIN example.com.\n$INCLUDE ../common/spf.inc\n")
    zone = read_bind(top)
    assert records(zone, "_spf.example.com") == [("TXT", (b"v=spf1 -all",))]


def test_passwd_is_not_echoed_even_when_allowed(tmp_path: Path) -> None:
    if not os.path.isfile("/etc/passwd"):
        pytest.skip("no /etc/passwd")
    top = write(tmp_path / "db.example.com", "$ORIGIN example.com.\n$INCLUDE /etc/passwd\n")
    with pytest.raises(ZoneFileError) as refused:
        read_bind(top)
    assert "outside the directories" in refused.value.reason
    first = Path("/etc/passwd").read_text(errors="replace").split("\n")[0]
    try:
        zone = read_bind(top, allowed_root="/")
        shown = " ".join(f"{n.message} {n.term}" for n in zone.notes)
    except ZoneFileError as exc:
        shown = str(exc)
    assert first and first.split(":")[0] + ":" not in shown


# --------------------------------------------------------------------------- other servers


def test_include_paths_as_the_servers_resolve_them(tmp_path: Path) -> None:
    # Knot and CoreDNS: relative to the including file; BIND and NSD: to the working
    # directory, here the directory above the zone files.
    write(tmp_path / "zones" / "sub" / "spf.inc", "$INCLUDE more.inc\n")
    write(tmp_path / "zones" / "sub" / "more.inc", '_spf TXT "v=spf1 -all"\n')
    write(tmp_path / "zones" / "common" / "mx.inc", "@ MX 10 mx1\nmx1 A 192.0.2.25\n")
    top = write(tmp_path / "zones" / "db.example.com", (
        "$ORIGIN example.com.\n$INCLUDE sub/spf.inc\n"
        "$INCLUDE \"common/mx.inc\" mail.example.com.\n"))
    zone = read_bind(top, allowed_root=tmp_path)
    assert records(zone, "_spf.example.com") == [("TXT", (b"v=spf1 -all",))]
    assert records(zone, "mail.example.com") == [("MX", (10, "mx1.mail.example.com"))]
    nested = write(tmp_path / "zones" / "by-customer" / "db.example.net",
                   "$ORIGIN example.net.\n$INCLUDE common/mx.inc\n")
    zone = read_bind(nested, allowed_root=tmp_path)
    assert records(zone, "example.net") == [("MX", (10, "mx1.example.net"))]
    assert os.path.normpath(str(tmp_path / "zones" / "common" / "mx.inc")) in {
        os.path.abspath(p) for p in zone.contents}


def test_ttl_class_and_owner_forms(tmp_path: Path) -> None:
    path = write(tmp_path / "db.example.com", (
        "$TTL 1h30m\n$ORIGIN example.com.\n"
        "a 300 IN A 192.0.2.1\nb IN 300 A 192.0.2.2\nc 1W2d A 192.0.2.3\n"
        "d in a 192.0.2.4\n  IN AAAA 2001:DB8:0:0::4\ne 600/10 A 192.0.2.5\n"
        "F.Example.COM. TYPE1 192.0.2.6\n@ MX 0 .\n"))
    zone = read_bind(path)
    assert [records(zone, f"{x}.example.com") for x in "abc"] == [
        [("A", "192.0.2.1")], [("A", "192.0.2.2")], [("A", "192.0.2.3")]]
    assert records(zone, "d.example.com") == [("A", "192.0.2.4"), ("AAAA", "2001:db8::4")]
    assert records(zone, "e.example.com") == [("A", "192.0.2.5")]
    assert records(zone, "f.example.com") == [("A", "192.0.2.6")]
    assert records(zone, "example.com") == [("MX", (0, ""))]


def test_generic_rdata_is_data_only(tmp_path: Path) -> None:
    path = write(tmp_path / "db.example.com", (
        "$ORIGIN example.com.\nt TXT \\# 12 0b763d73706631202d616c6c\n"
        "a A \\# 4 c0000201\n"))
    zone = read_bind(path)
    assert records(zone, "t.example.com") == [("TXT", (b"v=spf1 -all",))]
    assert records(zone, "a.example.com") == [("A", "192.0.2.1")]
    assert zone.records == []


# --------------------------------------------------------------------------- at size


def test_agrees_with_dnspython_at_size(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = ["$ORIGIN big.example.", "$TTL 3600",
             "@ IN SOA ns1 hm ( 1 7200 3600 1209600 3600 )", "@ NS ns1", "ns1 A 192.0.2.1"]
    for i in range(5000):
        kind = rng.choice(["A", "AAAA", "CNAME", "MX", "TXT", "PTR", "SRV"])
        owner = rng.choice([f"h{i}", f"H{i}.Sub", f"h{i}.big.example.", "@"])
        if kind == "CNAME":
            owner = f"c{i}"  # a CNAME owns its name alone
        ttl = rng.choice(["", "300 ", "IN ", "300 IN ", "IN 1h "])
        data = {
            "A": f"10.{i % 256}.{i // 256 % 256}.{rng.randrange(256)}",
            "AAAA": f"2001:db8:{i:x}::{rng.randrange(65536):x}",
            "CNAME": rng.choice([f"h{i - 1}", "target.example.net.", "@"]),
            "MX": f"{rng.randrange(100)} mx{i % 7}",
            "TXT": rng.choice([f'"v=spf1 ip4:192.0.2.{i % 256} -all"', '"a" "b c"',
                               '( "long "\n   "record" ) ; c', '"q;\\"x\\""']),
            "PTR": f"host-{i}.example.org.",
            "SRV": f"0 5 5060 h{i}",
        }[kind]
        lines.append(f"{owner} {ttl}{kind} {data}")
    path = write(tmp_path / "db.big.example", "\n".join(lines) + "\n")
    ours = read_bind(path).data.names
    theirs = dns.zone.from_file(path, origin="big.example.", relativize=False)
    expected: dict[str, list[object]] = {}
    for owner, node in theirs.nodes.items():
        name = str(owner).rstrip(".").lower()
        for rdataset in node.rdatasets:
            kind = dns.rdatatype.to_text(rdataset.rdtype)
            for rdata in rdataset:
                got: object
                if kind in ("A", "AAAA"):
                    got = rdata.address.lower() if kind == "A" else str(
                        __import__("ipaddress").ip_address(rdata.address))
                elif kind == "MX":
                    got = (rdata.preference, str(rdata.exchange).rstrip(".").lower())
                elif kind == "TXT":
                    got = tuple(rdata.strings)
                elif kind in ("CNAME", "PTR", "NS"):
                    got = str(rdata.target).rstrip(".").lower()
                else:
                    continue
                expected.setdefault(name, []).append((kind, got))
    # dnspython merges identical records into one set and orders by type: compare as sets.
    assert set(expected) <= set(ours)
    for name, values in expected.items():
        assert set(values) == set(ours[name].records), name


@pytest.mark.parametrize("name", ["db.a..com", "db." + "x" * 64 + ".example"])
def test_a_file_name_that_is_no_domain_gives_no_origin(tmp_path: Path, name: str) -> None:
    # The name alone is no origin: the file's '@' is then an error with its line, not a crash.
    path = tmp_path / name
    path.write_text('@ IN TXT "v=spf1 -all"\n')
    with pytest.raises(ZoneFileError, match="origin is unknown"):
        read_bind(path)
