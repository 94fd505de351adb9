"""Whole-tree walk over DNS: spflint's tree walk against checkdmarc, on a local DNS server.

``python bench/bench_check.py [--repeats R]``. The domain is ``example.com`` of
``bench/zones.py`` (10 lookups, apex TXT answer over 512 bytes) served by
``tests/dnsserver.py`` with no added latency and with 20 ms per answer. spflint:
``spflint.tree.walk`` (what ``spflint check`` fetches and walks, before rules run) with a fresh
resolver each time. checkdmarc: ``checkdmarc.spf.get_spf_record`` (query, parse, follow every
include and count lookups) with a dnspython resolver aimed at the server and checkdmarc's
module-level DNS cache cleared before each run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import _common
import zones
from _common import fmt_ms, fmt_ratio, markdown_table, write_results

from spflint.dns.live import LiveResolver
from tests.dnsserver import DNSTestServer

LATENCIES = (0.0, 0.020)
DEFAULT_REPEATS = {0.0: 15, 0.020: 5}


def spflint_walk(server: DNSTestServer) -> int:
    from spflint.tree import walk

    resolver = LiveResolver([(server.host, server.port)])
    tree = asyncio.run(walk(zones.DOMAIN, resolver))
    return tree.total_lookups


def checkdmarc_walk(server: DNSTestServer) -> int:
    import checkdmarc.spf  # type: ignore[import-untyped]
    import checkdmarc.utils  # type: ignore[import-untyped]
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    checkdmarc.utils.DNS_CACHE.clear()
    return int(checkdmarc.spf.get_spf_record(zones.DOMAIN, resolver=resolver)["dns_lookups"])


def _measure(server: DNSTestServer, func: Callable[[DNSTestServer], int],
             repeats: int) -> dict[str, Any]:
    try:
        func(server)  # warm-up: imports
    except ImportError as exc:
        return {"skipped": f"not available: {exc}"}
    times: list[float] = []
    queries: list[int] = []
    lookups: set[int] = set()
    for _ in range(repeats):
        server.clear_log()
        start = time.perf_counter()
        lookups.add(func(server))
        times.append(time.perf_counter() - start)
        queries.append(len(server.queries))
    return {"median_s": statistics.median(times), "runs_s": times, "queries": max(queries),
            "lookups": sorted(lookups)}


def run(repeats: dict[float, int] | None = None) -> dict[str, Any]:
    repeats = repeats or DEFAULT_REPEATS
    results: dict[str, Any] = {}
    rows: list[list[object]] = []
    for latency in LATENCIES:
        with DNSTestServer(zones.zonedata(), latency=latency) as server:
            ours = _measure(server, spflint_walk, repeats[latency])
            theirs = _measure(server, checkdmarc_walk, repeats[latency])
        label = f"{int(latency * 1000)} ms"
        results[label] = {"spflint": ours, "checkdmarc": theirs}

        def cell(r: dict[str, Any]) -> str:
            if "skipped" in r:
                return f"skipped: {r['skipped']}"
            counted = ",".join(map(str, r["lookups"]))
            return f"{fmt_ms(r['median_s'])} / {r['queries']} q / {counted} lookups"

        ratio = None if "skipped" in ours or "skipped" in theirs else \
            theirs["median_s"] / ours["median_s"]
        rows.append([label, cell(ours), cell(theirs), fmt_ratio(ratio)])
    return {
        "title": "Whole-tree walk of example.com (10 lookups): spflint vs checkdmarc "
                 "(median wall time)",
        "headers": ["latency", "spflint tree.walk (time / queries / lookups)",
                    "checkdmarc get_spf_record (time / queries / lookups)",
                    "spflint is N x faster"],
        "rows": rows,
        "parameters": {"repeats": {str(k): v for k, v in repeats.items()},
                       "domain": zones.DOMAIN},
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, help="walks per side and latency "
                        "(default 15 at 0 ms, 5 at 20 ms)")
    args = parser.parse_args(argv)
    repeats = {lat: args.repeats for lat in LATENCIES} if args.repeats else None
    payload = run(repeats)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    print(f"\nJSON: {write_results('check', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
