"""SPF evaluation over real DNS: spflint's check_host() against pyspf, on a local DNS server.

``python bench/bench_query.py [--repeats R] [--batch N] [--pyspf-batch M]``. The zone is
``bench/zones.py`` (a 10-lookup tree) served by ``tests/dnsserver.py`` on 127.0.0.1, once
with no added latency and once with 20 ms per answer. Two measurements:

* single checks: one evaluation per client address, each side starting with nothing cached
  (spflint: a fresh resolver per check; pyspf: ``spf.check2``, which caches only within one
  check), with the questions each side sends counted in the server's log;
* a batch of N client addresses: spflint's ``query --batch`` code path (one resolver, its
  cache shared by the whole batch) against pyspf checking one address after another.

pyspf resolves through dnspython's module-level default resolver; it is replaced by one aimed
at the test server (no system configuration, no search list, no cache), nothing else changes.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import ipaddress
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import _common
import zones
from _common import fmt_ms, fmt_rate, fmt_ratio, markdown_table, pyspf_on, write_results

from spflint.dns.live import LiveResolver
from spflint.evaluate import evaluate
from tests.dnsserver import DNSTestServer

LATENCIES = (0.0, 0.020)
DEFAULT_REPEATS = {0.0: 15, 0.020: 5}
DEFAULT_BATCH = 10_000
DEFAULT_PYSPF_BATCH = 500
BATCH_SEED = 4408


def _server_tuple(server: DNSTestServer) -> tuple[str, int]:
    return server.host, server.port


def spflint_check(server: DNSTestServer, ip: str) -> str:
    resolver = LiveResolver([_server_tuple(server)])
    return evaluate(ip, zones.DOMAIN, zones.SENDER, resolver=resolver, helo=zones.HELO).result


def pyspf_check(spf: Any, ip: str) -> str:
    return str(spf.check2(i=ip, s=zones.SENDER, h=zones.HELO)[0])


def _timed_check(server: DNSTestServer, check: Callable[[], str],
                 repeats: int) -> dict[str, Any]:
    times: list[float] = []
    queries: list[int] = []
    tcp: list[int] = []
    results: set[str] = set()
    for _ in range(repeats):
        server.clear_log()
        start = time.perf_counter()
        results.add(check())
        times.append(time.perf_counter() - start)
        log = list(server.queries)
        queries.append(len(log))
        tcp.append(sum(1 for q in log if q.transport == "tcp"))
    return {"median_s": statistics.median(times), "runs_s": times,
            "queries": max(queries), "tcp_queries": max(tcp), "results": sorted(results)}


def single_checks(latency: float, repeats: int) -> dict[str, Any]:
    """Each client of ``zones.CLIENTS`` checked ``repeats`` times by each side."""
    out: dict[str, Any] = {}
    with DNSTestServer(zones.zonedata(), latency=latency) as server, pyspf_on(server) as spf:
        spflint_check(server, "192.0.2.10")  # warm-up: imports, parser, event loop
        spf.check2(i="192.0.2.10", s=zones.SENDER, h=zones.HELO)
        for label, ip, expected in zones.CLIENTS:
            ours = _timed_check(server, functools.partial(spflint_check, server, ip), repeats)
            theirs = _timed_check(server, functools.partial(pyspf_check, spf, ip), repeats)
            out[label] = {"ip": ip, "expected": expected, "spflint": ours, "pyspf": theirs}
    return out


def batch_addresses(count: int, seed: int = BATCH_SEED) -> list[str]:
    """``count`` client addresses: about 40% inside the tree's ranges, the rest anywhere."""
    rng = random.Random(seed)
    nets = zones.provider_networks()
    out: list[str] = []
    for _ in range(count):
        if rng.random() < 0.4:
            net = rng.choice(nets)
            out.append(str(net[rng.randrange(net.num_addresses)]))
        else:
            value = (rng.randint(11, 223) << 24) | rng.getrandbits(24)
            out.append(str(ipaddress.IPv4Address(value)))
    return out


def spflint_batch(server: DNSTestServer, addresses: list[str]) -> list[str]:
    """spflint's ``query --batch`` loop: JSON lines in, JSON lines out, one shared resolver."""
    from spflint.cli.query import run_batch
    from spflint.dns.layered import build_resolver

    lines = [json.dumps({"ip": ip, "sender": zones.SENDER, "helo": zones.HELO})
             for ip in addresses]
    out = io.StringIO()
    resolver = build_resolver(nameservers=[server.address])
    asyncio.run(run_batch(lines, out, resolver, receiver="bench.example", timeout=None,
                          header=False))
    return [json.loads(line)["result"] for line in out.getvalue().splitlines()]


def batch(latency: float, count: int, pyspf_count: int) -> dict[str, Any]:
    addresses = batch_addresses(count)
    with DNSTestServer(zones.zonedata(), latency=latency) as server, pyspf_on(server) as spf:
        server.clear_log()
        start = time.perf_counter()
        ours = spflint_batch(server, addresses)
        ours_s = time.perf_counter() - start
        ours_queries = len(server.queries)

        sample = addresses[:pyspf_count]
        server.clear_log()
        start = time.perf_counter()
        theirs = [spf.check2(i=ip, s=zones.SENDER, h=zones.HELO)[0] for ip in sample]
        theirs_s = time.perf_counter() - start
        theirs_queries = len(server.queries)
    disagree = sum(1 for a, b in zip(ours, theirs, strict=False) if a != b)
    return {
        "latency_s": latency,
        "spflint": {"addresses": len(addresses), "seconds": ours_s,
                    "rate": len(addresses) / ours_s, "queries": ours_queries,
                    "results": {r: ours.count(r) for r in sorted(set(ours))}},
        "pyspf": {"addresses": len(sample), "seconds": theirs_s,
                  "rate": len(sample) / theirs_s, "queries": theirs_queries,
                  "queries_per_address": theirs_queries / max(1, len(sample))},
        "disagreements_on_common_addresses": disagree,
    }


def run(repeats: dict[float, int] | None = None, batch_count: int = DEFAULT_BATCH,
        pyspf_batch: int = DEFAULT_PYSPF_BATCH,
        batch_latency: float = 0.0) -> dict[str, Any]:
    repeats = repeats or DEFAULT_REPEATS
    singles = {f"{int(lat * 1000)} ms": single_checks(lat, repeats[lat]) for lat in LATENCIES}
    rows: list[list[object]] = []
    for latency, clients in singles.items():
        for label, data in clients.items():
            ours, theirs = data["spflint"], data["pyspf"]
            agree = "yes" if ours["results"] == theirs["results"] == [data["expected"]] else \
                f"no: {ours['results']} vs {theirs['results']}"
            rows.append([
                f"single check, {latency}", label,
                f"{fmt_ms(ours['median_s'])} / {ours['queries']} q ({ours['tcp_queries']} tcp)",
                f"{fmt_ms(theirs['median_s'])} / {theirs['queries']} q "
                f"({theirs['tcp_queries']} tcp)",
                fmt_ratio(theirs["median_s"] / ours["median_s"]), agree,
            ])
    batched = batch(batch_latency, batch_count, pyspf_batch)
    ours, theirs = batched["spflint"], batched["pyspf"]
    rows.append([
        f"batch, {int(batch_latency * 1000)} ms",
        f"{ours['addresses']:,} addresses (pyspf: first {theirs['addresses']:,})",
        f"{fmt_rate(ours['rate'])} IP/s, {ours['queries']} q in all",
        f"{fmt_rate(theirs['rate'])} IP/s, {theirs['queries_per_address']:.1f} q per IP",
        fmt_ratio(ours["rate"] / theirs["rate"]),
        "yes" if not batched["disagreements_on_common_addresses"] else
        f"no: {batched['disagreements_on_common_addresses']} differ",
    ])
    return {
        "title": "check_host() over DNS: spflint vs pyspf (median wall time per check)",
        "headers": ["run", "client", "spflint (time / queries)", "pyspf (time / queries)",
                    "spflint is N x faster", "same result"],
        "rows": rows,
        "parameters": {"repeats": {str(k): v for k, v in repeats.items()},
                       "batch": batch_count, "pyspf_batch": pyspf_batch,
                       "batch_latency_s": batch_latency, "domain": zones.DOMAIN,
                       "lookups_in_tree": zones.LOOKUPS,
                       "apex_txt_rdata_bytes": zones.apex_txt_size()},
        "single": singles,
        "batch": batched,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, help="checks per client and latency "
                        "(default 15 at 0 ms, 5 at 20 ms)")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="addresses in the batch")
    parser.add_argument("--pyspf-batch", type=int, default=DEFAULT_PYSPF_BATCH,
                        help="addresses pyspf checks (its rate is measured on these)")
    parser.add_argument("--batch-latency", type=float, default=0.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    repeats = {lat: args.repeats for lat in LATENCIES} if args.repeats else None
    payload = run(repeats, args.batch, min(args.pyspf_batch, args.batch), args.batch_latency)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    print(f"\nJSON: {write_results('query', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
