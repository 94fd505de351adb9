"""Tests for the whole-tree walk: lookup counting per RFC 7208, voids, loops, caps, live DNS."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spflint.dns.base import Answer, Outcome, ZoneData
from spflint.dns.live import LiveResolver
from spflint.dns.offline import OfflineResolver
from spflint.dns.zonedata import load_yaml
from spflint.errors import InputError
from spflint.evaluate import check_host
from spflint.tree import LOOKUP_LIMIT, VOID_LIMIT, Tree, biggest_contributors, walk
from tests.conftest import zonedata_from_dict
from tests.dnsserver import DNSTestServer

ZONES = Path(__file__).resolve().parent.parent / "fixtures" / "zones"
COUNTING = load_yaml(ZONES / "tree-counting.yml")
HOSTILE = load_yaml(ZONES / "tree-hostile.yml")

Make = Callable[..., DNSTestServer]


def offline(domain: str, zone: ZoneData = COUNTING, **kwargs: Any) -> Tree:
    return asyncio.run(walk(domain, OfflineResolver(zone, authoritative_all=True), **kwargs))


def live(server: DNSTestServer, domain: str, *, timeout: float = 2.0, retries: int = 1,
         **kwargs: Any) -> Tree:
    resolver = LiveResolver([(server.host, server.port)], timeout=timeout, retries=retries)
    return asyncio.run(walk(domain, resolver, **kwargs))


def names(tree: Tree) -> list[str]:
    return [node.name for node in tree.nodes()]


# --- counting, one rule per test (offline zone data) ------------------------------------------


def test_no_lookup_terms_cost_nothing() -> None:
    tree = offline("plain.tree.example")
    assert tree.total_lookups == 0
    assert tree.record == "v=spf1 ip4:192.0.2.0/24 -all"
    assert tree.root.children == []
    assert tree.complete and tree.failures == []


def test_each_dns_mechanism_costs_one() -> None:
    tree = offline("mechs.tree.example")
    # a, mx (three MX names still cost one), ptr, exists, include; ip4 and all are free
    assert tree.root.lookups == 5
    assert tree.total_lookups == 5
    assert [c.name for c in tree.root.children] == ["leaf.tree.example"]
    assert tree.root.children[0].lookups == 0


def test_terms_after_all_are_not_counted_nor_walked() -> None:
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    tree = asyncio.run(walk("afterall.tree.example", resolver))
    assert tree.total_lookups == 0
    assert tree.root.children == []
    assert [t.term for t in tree.root.ignored_terms] == ["include:leaf.tree.example", "a", "mx"]
    assert "leaf.tree.example" not in {q.name for q in resolver.log}


def test_redirect_is_ignored_when_all_is_present() -> None:
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    tree = asyncio.run(walk("redirall.tree.example", resolver))
    assert tree.total_lookups == 1  # only the a
    assert tree.root.children == []
    assert [t.term for t in tree.root.ignored_terms] == ["redirect=costly.tree.example"]
    assert "costly.tree.example" not in {q.name for q in resolver.log}


def test_redirect_counts_one_plus_its_target() -> None:
    tree = offline("redirect.tree.example")
    assert tree.root.lookups == 2  # a, redirect
    (child,) = tree.root.children
    assert (child.name, child.via, child.term, child.qualifier) == (
        "costly.tree.example", "redirect", "redirect=costly.tree.example", None)
    assert child.lookups == 2
    assert tree.total_lookups == 4


def test_include_without_spf_counts_one() -> None:
    tree = offline("nospf.tree.example")
    assert tree.total_lookups == 2
    txtonly, nx = tree.root.children
    assert (txtonly.has_spf, txtonly.outcome, txtonly.subtree_lookups) == (False, Outcome.OK, 0)
    assert (nx.has_spf, nx.outcome) == (False, Outcome.NXDOMAIN)
    assert nx.error is None  # a missing record is not a DNS failure
    # The TXT question of include:nx is void; the one of include:txtonly is not.
    assert [(v.term, v.qtype, v.outcome) for v in tree.root.voids] == [
        ("include:nx.tree.example", "TXT", Outcome.NXDOMAIN)]
    assert tree.void_total == 1


def test_nested_includes_add_up() -> None:
    tree = offline("nested.tree.example")
    assert names(tree) == ["nested.tree.example", "n1.tree.example", "n2.tree.example",
                           "n3.tree.example"]
    assert [n.lookups for n in tree.nodes()] == [1, 2, 2, 2]
    assert [n.subtree_lookups for n in tree.nodes()] == [7, 6, 4, 2]
    assert tree.total_lookups == 7
    assert tree.nodes().__next__().path == ("nested.tree.example",)
    assert tree.root.children[0].children[0].path == (
        "nested.tree.example", "n1.tree.example", "n2.tree.example")


def test_exp_does_not_count_but_its_text_is_fetched_for_checks() -> None:
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    tree = asyncio.run(walk("exp.tree.example", resolver))
    assert tree.total_lookups == 1
    assert tree.void_total == 0  # the explanation's TXT question is not a mechanism lookup
    asked = [q for q in resolver.log if q.name == "explain.tree.example"]
    assert [q.rdtype for q in asked] == ["TXT"]
    assert tree.root.exp_answer is not None
    assert tree.root.exp_answer.name == "explain.tree.example"


def test_include_reached_twice_is_walked_once_but_counted_twice() -> None:
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    tree = asyncio.run(walk("dup.tree.example", resolver))
    assert tree.total_lookups == 8
    x, y = tree.root.children
    (z_first,), (z_again,) = x.children, y.children
    assert z_first.duplicate_of is None and z_first.walked
    assert z_again.duplicate_of is z_first
    assert z_again.subtree_lookups == z_first.subtree_lookups == 2
    assert z_again.record == z_first.record
    assert sum(1 for q in resolver.log if q.name == "z.tree.example" and q.rdtype == "TXT") == 1
    assert z_again.to_dict()["duplicate_of"] == "dup.tree.example > x.tree.example > z.tree.example"


def test_same_include_twice_in_one_record_counts_twice() -> None:
    tree = offline("twice.tree.example")
    assert tree.total_lookups == 6
    first, second = tree.root.children
    assert second.duplicate_of is first


def test_void_lookups_per_client_family() -> None:
    tree = offline("voids.tree.example")
    got = sorted((v.term, v.qtype, v.outcome.value, v.family) for v in tree.root.voids)
    assert got == [
        ("a:nx.tree.example", "A", "nxdomain", "ipv4"),
        ("a:nx.tree.example", "AAAA", "nxdomain", "ipv6"),
        ("a:v4only.tree.example", "AAAA", "nodata", "ipv6"),
        ("exists:nx2.tree.example", "A", "nxdomain", "any"),
        ("include:nx3.tree.example", "TXT", "nxdomain", "any"),
        ("mx:nomx.tree.example", "MX", "nodata", "any"),
    ]
    assert (tree.void_ipv4, tree.void_ipv6, tree.void_total) == (4, 5, 5)
    assert tree.total_lookups == 5


def test_ptr_is_assumed_void() -> None:
    tree = offline("mechs.tree.example")
    ptr = [v for v in tree.root.voids if v.qtype == "PTR"]
    assert len(ptr) == 1 and ptr[0].assumed and ptr[0].term == "ptr"
    assert (tree.void_ipv4, tree.void_ipv6) == (2, 2)  # ptr and exists:nxe


def test_duplicate_voids_count_again() -> None:
    zone = zonedata_from_dict({
        "root.example": [{"TXT": "v=spf1 include:v.example include:w.example -all"}],
        "w.example": [{"TXT": "v=spf1 include:v.example -all"}],
        "v.example": [{"TXT": "v=spf1 exists:nope.example -all"}],
    })
    tree = offline("root.example", zone)
    assert tree.total_lookups == 2 + 1 + 1 + 1
    assert tree.void_total == 2


def test_mx_set_names_and_addresses() -> None:
    tree = offline("bigmx.tree.example")
    assert tree.total_lookups == 1
    (mx,) = tree.root.mx_names
    assert (mx.term, mx.target, mx.count, mx.too_many) == ("mx", "bigmx.tree.example", 11, True)
    assert [h.name for h in mx.hosts][:3] == ["mx1.tree.example", "mx2.tree.example",
                                             "mx3.tree.example"]
    assert mx.without_address == ("noaddr1.tree.example", "m6.tree.example", "m7.tree.example",
                                  "m8.tree.example", "m9.tree.example", "m10.tree.example")
    assert mx.hosts[-1].name == "m11.tree.example" and mx.hosts[-1].has_address is None
    small = offline("mechs.tree.example").root.mx_names[0]
    assert (small.count, small.too_many, small.without_address) == (3, False, ())
    assert [(h.ipv4, h.ipv6) for h in small.hosts] == [(1, 0), (1, 1), (0, 1)]


def test_dynamic_targets_are_counted_not_followed() -> None:
    tree = offline("dyn.tree.example")
    assert tree.total_lookups == 2
    assert tree.root.dynamic_terms == ["include:%{d}._spf.tree.example",
                                       "exists:%{i}.rbl.tree.example"]
    assert tree.root.children == []
    assert tree.dynamic == 2
    assert tree.lookups_dict()["dynamic"] == 2


def test_dynamic_targets_expand_with_macro_values() -> None:
    tree = offline("dyn.tree.example", macro_context=("192.0.2.7", "a@dyn.tree.example", None))
    (child,) = tree.root.children
    assert child.name == "dyn.tree.example._spf.tree.example"
    assert child.term == "include:%{d}._spf.tree.example"
    assert tree.total_lookups == 3
    assert tree.dynamic == 0
    assert [(v.name, v.qtype) for v in tree.root.voids] == [("192.0.2.7.rbl.tree.example", "A")]


def test_invalid_macro_ip_and_domain_are_input_errors() -> None:
    with pytest.raises(InputError):
        offline("dyn.tree.example", macro_context=("not-an-ip", "a@b.example", None))
    with pytest.raises(InputError):
        offline("bad..example")


def test_multiple_records_are_all_kept_and_not_walked() -> None:
    tree = offline("multi.tree.example")
    assert tree.root.multiple
    assert tree.root.spf_records == ["v=spf1 include:leaf.tree.example -all", "v=spf1 a -all"]
    assert tree.record is None and tree.root.parsed is None
    assert tree.root.children == [] and tree.total_lookups == 0


def test_near_misses_and_type99() -> None:
    tree = offline("nearmiss.tree.example")
    assert tree.record == "v=spf1 -all"
    assert not tree.root.multiple
    assert [n.text for n in tree.root.near_misses] == [
        "spf2.0/pra ip4:192.0.2.0/24 -all", " v=spf1 a -all", "v=spf10 mx -all",
        "v=spf1include:leaf.tree.example"]
    assert "Sender ID" in tree.root.near_misses[0].reason
    assert tree.root.type99 == ["v=spf1 -all"]
    assert offline("nearmiss.tree.example", query_type99=False).root.type99 == []


def test_syntax_problems_are_kept() -> None:
    tree = offline("badsyntax.tree.example")
    assert tree.record == "v=spf1 ipv4:192.0.2.1 -all"
    assert tree.root.parsed is None
    assert [(p.code, p.column) for p in tree.root.problems] == [("SPF101", 8)]
    assert tree.root.to_dict()["problems"][0]["code"] == "SPF101"


def test_over_limit_and_biggest_contributors() -> None:
    tree = offline("over.tree.example")
    assert tree.total_lookups == 13 and tree.over_limit
    top = biggest_contributors(tree)
    assert [(c.term, c.lookups) for c in top] == [
        ("include:big1.tree.example", 6), ("include:big2.tree.example", 4),
        ("include:leaf.tree.example", 1)]
    assert [c.name for c in biggest_contributors(tree, n=1)] == ["big1.tree.example"]


def test_biggest_contributors_look_through_a_top_level_redirect() -> None:
    zone = zonedata_from_dict({
        "r.example": [{"TXT": "v=spf1 redirect=t.example"}],
        "t.example": [{"TXT": "v=spf1 include:u.example -all"}],
        "u.example": [{"TXT": "v=spf1 a:x.example a:y.example -all"}],
    })
    top = biggest_contributors(offline("r.example", zone))
    assert [(c.term, c.lookups) for c in top] == [("redirect=t.example", 4),
                                                  ("include:u.example", 3)]


def test_domain_without_any_record() -> None:
    tree = offline("nowhere.tree.example")
    assert tree.root.outcome is Outcome.NXDOMAIN
    assert tree.record is None and tree.total_lookups == 0
    assert tree.complete and tree.failures == []


@pytest.mark.parametrize("domain", ["plain", "mechs", "afterall", "redirall", "redirect",
                                    "nested", "exp", "dup", "twice", "voids2"])
@pytest.mark.parametrize("ip", ["203.0.113.99", "2001:db8:ffff::99"])
def test_totals_match_a_receiver_for_an_ip_that_matches_nothing(domain: str, ip: str) -> None:
    name = f"{domain}.tree.example"
    tree = offline(name)
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    result = asyncio.run(check_host(ip, name, f"x@{name}", resolver=resolver))
    assert result.result in ("fail", "softfail", "neutral"), result.problem
    assert tree.total_lookups == result.lookups
    assert (tree.void_ipv4 if ":" not in ip else tree.void_ipv6) == result.void_lookups


def test_over_limit_receiver_stops_after_the_limit() -> None:
    tree = offline("over.tree.example")
    result = asyncio.run(check_host("203.0.113.99", "over.tree.example", "x@over.tree.example",
                                    resolver=OfflineResolver(COUNTING, authoritative_all=True)))
    assert result.result == "permerror" and result.lookups == LOOKUP_LIMIT + 1
    assert tree.total_lookups > LOOKUP_LIMIT


def test_to_dict_has_the_contract_keys_and_is_json() -> None:
    tree = offline("nested.tree.example")
    data = json.loads(json.dumps(tree.to_dict()))
    assert data["domain"] == "nested.tree.example"
    assert data["record"] == "v=spf1 include:n1.tree.example -all"
    assert data["lookups"]["total"] == 7
    assert (data["lookups"]["limit"], data["lookups"]["void_limit"]) == (LOOKUP_LIMIT,
                                                                         VOID_LIMIT)
    assert data["lookups"]["void"] == 1
    node = data["tree"]
    for key in ("name", "record", "lookups", "children"):
        assert key in node
    assert node["lookups"] == 7 and node["own_lookups"] == 1
    assert node["children"][0]["name"] == "n1.tree.example"
    assert node["children"][0]["children"][0]["children"][0]["lookups"] == 2
    assert data["complete"] is True


def test_queries_come_from_the_resolver_log() -> None:
    resolver = OfflineResolver(COUNTING, authoritative_all=True)
    asyncio.run(walk("plain.tree.example", resolver))
    tree = asyncio.run(walk("nested.tree.example", resolver))
    # TXT for 4 names, A/AAAA/MX for the targets, type SPF only at the checked domain.
    assert tree.queries == tree.questions == 16
    assert len(resolver.log) == 2 + 16


# --- hostile cases (offline) ---------------------------------------------------------------


def test_include_loop_is_reported_once_and_not_descended() -> None:
    tree = offline("loop-a.tree.example", HOSTILE)
    assert tree.loops == [("loop-a.tree.example", "loop-b.tree.example", "loop-a.tree.example")]
    (b,) = tree.root.children
    (again,) = b.children
    assert again.loop == tree.loops[0] and again.children == []
    assert tree.total_lookups == 3  # include:loop-b, then a and include:loop-a in loop-b


def test_self_include_and_redirect_loops() -> None:
    tree = offline("self.tree.example", HOSTILE)
    assert tree.loops == [("self.tree.example", "self.tree.example")]
    assert tree.total_lookups == 1
    tree = offline("rloop.tree.example", HOSTILE)
    assert tree.loops == [("rloop.tree.example", "rloop.tree.example")]
    assert [c.via for c in tree.root.children] == ["include", "redirect"]
    assert tree.total_lookups == 2


def test_fan_out_is_capped_offline() -> None:
    zone = _fan_out(20, 20)
    tree = offline("fan.example", zone, max_names=50)
    assert tree.names == 50
    assert not tree.complete and "50" in (tree.cut_reason or "")
    capped = [n for n in tree.nodes() if n.outcome is Outcome.LIMIT]
    assert capped and all("not fetched" in (n.error or "") for n in capped)
    assert len(list(tree.nodes())) == 1 + 20 + 400  # every reached name has a node


def test_servfail_and_timeout_are_failures_not_missing_records() -> None:
    tree = offline("servfail.tree.example", HOSTILE)
    broken, ok = tree.root.children
    assert broken.outcome is Outcome.SERVFAIL and "SERVFAIL" in (broken.error or "")
    assert ok.record == "v=spf1 ip4:192.0.2.7 -all"
    assert [(f.name, f.qtype, f.outcome) for f in tree.failures] == [
        ("broken.tree.example", "TXT", Outcome.SERVFAIL)]
    assert tree.void_total == 0
    tree = offline("timeout.tree.example", HOSTILE)
    assert {(f.name, f.qtype, f.outcome) for f in tree.failures} == {
        ("slow.tree.example", "TXT", Outcome.TIMEOUT),
        ("slow.tree.example", "A", Outcome.TIMEOUT),
        ("slow.tree.example", "AAAA", Outcome.TIMEOUT)}
    assert tree.complete  # the walk ended; the failures say what is unknown


def test_cname_target_and_cname_loop() -> None:
    tree = offline("cname.tree.example", HOSTILE)
    alias, loop = tree.root.children
    assert alias.record == "v=spf1 ip4:192.0.2.7 -all"
    assert loop.outcome is not None and loop.outcome.is_failure
    assert [f.name for f in tree.failures] == ["cl1.tree.example"]


def test_a_resolver_that_raises_gives_an_error_outcome() -> None:
    class Raising(OfflineResolver):
        async def query(self, name: str, rdtype: str) -> Answer:
            if name == "ok.tree.example":
                raise RuntimeError("boom")
            return await super().query(name, rdtype)

    tree = asyncio.run(walk("servfail.tree.example", Raising(HOSTILE)))
    ok = tree.root.children[1]
    assert ok.outcome is Outcome.ERROR and "boom" in (ok.error or "")


# --- against the real test DNS server ------------------------------------------------------


@pytest.mark.parametrize("domain", ["mechs", "redirect", "nested", "dup", "voids", "bigmx",
                                    "multi", "nearmiss", "over"])
def test_live_walk_matches_offline(make_dns_server: Make, domain: str) -> None:
    server = make_dns_server(COUNTING)
    name = f"{domain}.tree.example"
    got = live(server, name)
    want = offline(name)
    assert got.total_lookups == want.total_lookups
    assert (got.void_ipv4, got.void_ipv6) == (want.void_ipv4, want.void_ipv6)
    assert names(got) == names(want)
    assert [n.record for n in got.nodes()] == [n.record for n in want.nodes()]
    assert got.root.type99 == want.root.type99
    assert got.queries == server.count()  # every query sent reached the server once
    assert got.root.answer_source == f"dns {server.address}"
    assert got.root.txt_size is not None and got.root.txt_size > 0


def test_live_walk_is_concurrent(make_dns_server: Make) -> None:
    latency = 0.05
    zone: dict[str, Any] = {
        "conc.example": [{"TXT": "v=spf1 " + " ".join(f"include:l1-{i}.example"
                                                      for i in range(6)) + " -all"}],
    }
    for i in range(6):
        zone[f"l1-{i}.example"] = [{"TXT": f"v=spf1 include:l2-{i}.example -all"}]
        zone[f"l2-{i}.example"] = [{"TXT": f"v=spf1 include:l3-{i}.example -all"}]
        zone[f"l3-{i}.example"] = [{"TXT": f"v=spf1 ip4:192.0.2.{i} -all"}]
    server = make_dns_server(zone, latency=latency)
    started = time.monotonic()
    tree = live(server, "conc.example")
    elapsed = time.monotonic() - started
    assert tree.total_lookups == 6 + 6 * 2
    assert len(list(tree.nodes())) == 19 and tree.complete
    sequential = server.count() * latency
    assert server.count() == 20  # TXT for every name; type SPF at the checked domain only
    assert server.count(rdtype="SPF") == 1
    assert elapsed < 0.6 * sequential, (elapsed, sequential)
    assert elapsed >= 4 * latency  # four levels must still follow one another
    # term order is kept whatever order the answers came in
    assert [c.name for c in tree.root.children] == [f"l1-{i}.example" for i in range(6)]


def test_live_include_loop(make_dns_server: Make) -> None:
    server = make_dns_server(HOSTILE)
    tree = live(server, "loop-a.tree.example")
    assert tree.loops == [("loop-a.tree.example", "loop-b.tree.example", "loop-a.tree.example")]
    assert tree.total_lookups == 3 and tree.complete
    assert server.count("loop-a.tree.example", "TXT") == 1


def _chunks(text: str) -> list[str]:
    """A long record as character-strings of at most 255 octets, as publishers split it."""
    return [text[i : i + 255] for i in range(0, len(text), 255)]


def _fan_out(width: int, second: int) -> ZoneData:
    zone: dict[str, Any] = {
        "fan.example": [{"TXT": _chunks("v=spf1 " + " ".join(
            f"include:f{i}.example" for i in range(width)) + " -all")}],
    }
    for i in range(width):
        zone[f"f{i}.example"] = [{"TXT": _chunks("v=spf1 " + " ".join(
            f"include:g{j}.f{i}.example" for j in range(second)) + " -all")}]
        for j in range(second):
            zone[f"g{j}.f{i}.example"] = [{"TXT": "v=spf1 -all"}]
    return zonedata_from_dict(zone)


def test_live_fan_out_is_capped_at_200_names(make_dns_server: Make) -> None:
    server = make_dns_server(_fan_out(20, 20))
    started = time.monotonic()
    tree = live(server, "fan.example")
    assert time.monotonic() - started < 10
    assert tree.names == 200 and not tree.complete
    assert server.count(rdtype="TXT") == 200
    # the lookups seen so far are still counted: 20 includes + 20 x 20 includes
    assert tree.total_lookups == 20 + 20 * 20


def test_live_cname_loop_and_servfail(make_dns_server: Make) -> None:
    server = make_dns_server(HOSTILE)
    tree = live(server, "cname.tree.example")
    alias, loop = tree.root.children
    assert alias.record == "v=spf1 ip4:192.0.2.7 -all"
    assert loop.outcome is Outcome.ERROR and "loop" in (loop.error or "").lower()
    tree = live(server, "servfail.tree.example")
    broken = tree.root.children[0]
    assert broken.outcome is Outcome.SERVFAIL and not broken.has_spf
    assert [f.outcome for f in tree.failures] == [Outcome.SERVFAIL]
    server.set_behaviour("ok.tree.example", "servfail")
    tree = live(server, "servfail.tree.example")
    assert [f.name for f in tree.failures] == ["broken.tree.example", "ok.tree.example"]


def test_live_timeout_without_deadline_is_a_failure(make_dns_server: Make) -> None:
    server = make_dns_server(HOSTILE)
    tree = live(server, "timeout.tree.example", timeout=0.2, retries=0)
    slow, ok = tree.root.children
    assert slow.outcome is Outcome.TIMEOUT and slow.error
    assert ok.record == "v=spf1 ip4:192.0.2.7 -all"
    assert ("slow.tree.example", "TXT") in {(f.name, f.qtype) for f in tree.failures}
    assert tree.complete


def test_live_deadline_cuts_the_walk_and_keeps_the_partial_tree(make_dns_server: Make) -> None:
    server = make_dns_server(HOSTILE)
    started = time.monotonic()
    tree = live(server, "timeout.tree.example", timeout=5.0, retries=0,
                deadline=time.monotonic() + 0.5)
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.5
    assert not tree.complete and "time" in (tree.cut_reason or "")
    assert tree.record is not None and tree.total_lookups == 3
    slow, ok = tree.root.children
    assert slow.outcome is Outcome.LIMIT and "not fetched" in (slow.error or "")
    assert ok.record == "v=spf1 ip4:192.0.2.7 -all"


def test_cancelling_the_walk_leaves_no_task_running(make_dns_server: Make) -> None:
    server = make_dns_server(HOSTILE)

    async def main() -> set[asyncio.Task[Any]]:
        resolver = LiveResolver([(server.host, server.port)], timeout=5.0, retries=0)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(walk("timeout.tree.example", resolver), 0.3)
        # the resolver's own shielded query may still be waiting; the walk's tasks are not
        return {t for t in asyncio.all_tasks() if "fetch" in repr(t.get_coro())}

    assert asyncio.run(main()) == set()
