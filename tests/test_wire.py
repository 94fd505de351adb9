"""spflint's DNS wire codec against dnspython: queries it builds, responses it reads, and
hostile bytes it refuses without crashing or looping."""

from __future__ import annotations

import contextlib

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from spflint.dns import wire

LABEL = st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True)
NAMES = st.lists(LABEL, min_size=1, max_size=4).map(".".join)


@st.composite
def records(draw: st.DrawFn, owner: str) -> tuple[str, str, str]:
    rtype = draw(st.sampled_from(["A", "AAAA", "TXT", "MX", "CNAME", "PTR", "NS", "SOA",
                                  "SRV"]))
    if rtype == "A":
        data = ".".join(str(draw(st.integers(0, 255))) for _ in range(4))
    elif rtype == "AAAA":
        data = f"2001:db8::{draw(st.integers(0, 0xFFFF)):x}"
    elif rtype == "TXT":
        strings = draw(st.lists(st.binary(max_size=40), min_size=1, max_size=3))
        data = " ".join('"' + "".join(f"\\{b:03d}" for b in s) + '"' for s in strings)
    elif rtype == "MX":
        data = f"{draw(st.integers(0, 65535))} {draw(NAMES)}."
    elif rtype == "SOA":
        data = f"{draw(NAMES)}. {draw(NAMES)}. 1 2 3 4 {draw(st.integers(0, 86400))}"
    elif rtype == "SRV":
        data = f"1 2 3 {draw(NAMES)}."
    else:
        data = f"{draw(NAMES)}."
    return owner, rtype, data


@st.composite
def responses(draw: st.DrawFn) -> dns.message.Message:
    qname = draw(NAMES)
    qtype = draw(st.sampled_from(["TXT", "A", "AAAA", "MX"]))
    query = dns.message.make_query(qname + ".", qtype, use_edns=draw(st.booleans()))
    response = dns.message.make_response(query)
    response.set_rcode(draw(st.sampled_from([0, 2, 3, 5])))
    for section in (response.answer, response.authority):
        for _ in range(draw(st.integers(0, 4))):
            owner = draw(st.one_of(st.just(qname), NAMES))
            name, rtype, data = draw(records(owner))
            rrset = dns.rrset.from_text(name + ".", draw(st.integers(0, 3600)), "IN", rtype,
                                        data)
            section.append(rrset)
    return response


def _expected(rrset: dns.rrset.RRset) -> list[tuple[str, int, int, object]]:
    out: list[tuple[str, int, int, object]] = []
    name = rrset.name.to_text(omit_final_dot=True).lower()
    for rdata in rrset:
        rtype = int(rrset.rdtype)
        if rtype == 16:
            value: object = tuple(bytes(s) for s in rdata.strings)
        elif rtype in (1, 28):
            value = rdata.address
        elif rtype == 15:
            value = (rdata.preference, rdata.exchange.to_text(omit_final_dot=True).lower())
        elif rtype in (2, 5, 12):
            value = rdata.target.to_text(omit_final_dot=True).lower()
        elif rtype == 6:
            value = (rdata.mname.to_text(omit_final_dot=True).lower(),
                     rdata.rname.to_text(omit_final_dot=True).lower(), rdata.serial,
                     rdata.refresh, rdata.retry, rdata.expire, rdata.minimum)
        else:
            value = rdata.to_wire()
        out.append((name, rtype, rrset.ttl, value))
    return out


@settings(max_examples=300, deadline=None)
@given(responses())
def test_responses_read_as_dnspython_reads_them(response: dns.message.Message) -> None:
    singletons = [(r.name, r.rdtype) for r in response.answer + response.authority
                  if r.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.SOA)]
    # dnspython keeps one CNAME or SOA per name (the last); no server sends two.
    assume(len(singletons) == len(set(singletons)))
    data = response.to_wire()  # with name compression
    parsed = wire.parse(data)
    assert parsed.id == response.id and parsed.rcode == response.rcode()
    assert parsed.edns == response.edns and parsed.size == len(data)
    again = dns.message.from_wire(data)
    for mine, theirs in ((parsed.answer, again.answer), (parsed.authority, again.authority)):
        # An RRset has one TTL, the smallest of its records'.
        ttl: dict[tuple[str, int], int] = {}
        for r in mine:
            ttl[(r.name, r.rtype)] = min(r.ttl, ttl.get((r.name, r.rtype), r.ttl))
        got = sorted(((r.name, r.rtype, ttl[(r.name, r.rtype)], r.value) for r in mine),
                     key=repr)
        want = sorted((item for rrset in theirs for item in _expected(rrset)), key=repr)
        assert got == want


@given(NAMES, st.sampled_from(["TXT", "A", "AAAA", "MX", "SPF", "PTR"]), st.booleans())
def test_queries_read_back(name: str, qtype: str, edns: bool) -> None:
    qid, data = wire.make_query(name, qtype, edns=edns)
    message = dns.message.from_wire(data)
    assert message.id == qid and message.flags & dns.flags.RD
    assert message.question[0].name == dns.name.from_text(name + ".")
    assert message.question[0].rdtype == dns.rdatatype.from_text(qtype)
    assert message.edns == (0 if edns else -1)
    if edns:
        assert message.payload == 1232
    response = dns.message.make_response(message)
    assert wire.answers(wire.parse(response.to_wire()), qid, name, qtype)
    assert not wire.answers(wire.parse(response.to_wire()), qid ^ 1, name, qtype)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    with contextlib.suppress(wire.WireError):
        wire.parse(data)


def test_hostile_messages() -> None:
    header = bytes.fromhex("1234 8180 0000 0001 0000 0000")
    looping = header + bytes.fromhex("c00c 0001 0001 00000000 0004 7f000001")
    with pytest.raises(wire.WireError, match="does not point backwards"):
        wire.parse(looping)
    forward = header + bytes.fromhex("c020 0001 0001 00000000 0004 7f000001")
    with pytest.raises(wire.WireError):
        wire.parse(forward)
    with pytest.raises(wire.WireError, match="ends inside"):
        wire.parse(header + b"\x03ab")
    with pytest.raises(wire.WireError, match="after the last record"):
        wire.parse(bytes.fromhex("1234 8180 0000 0000 0000 0000") + b"junk")
    long_name = b"".join(b"\x3f" + b"a" * 63 for _ in range(5)) + b"\x00"
    with pytest.raises(wire.WireError, match="over 255"):
        wire.parse(bytes.fromhex("1234 8180 0001 0000 0000 0000") + long_name + b"\x00\x01"
                   b"\x00\x01")
    with pytest.raises(wire.WireError, match="bad label length"):
        wire.make_query("a" * 64 + ".example", "TXT")
