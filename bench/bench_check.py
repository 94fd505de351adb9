"""Whole-domain check over DNS: spflint against checkdmarc and pyspf, in process and as processes.

``python bench/bench_check.py [--repeats R] [--runs N]``. The domain is ``example.com`` of
``bench/zones.py`` (10 lookups, apex TXT answer over 512 bytes) served by ``tests/dnsserver.py``
running in a process of its own (``bench/_dnsproc.py``), with no added latency and with 20 ms
per answer. Three measurements:

* whole processes at 20 ms, what a user waits for (interpreter start-up and imports included),
  N runs interleaved: ``spflint check example.com --nameserver 127.0.0.1:PORT --format json``;
  checkdmarc's ``checkdmarc.spf.check_spf`` and pyspf's ``spf.check2`` for an address the
  policy does not authorise, each from a three-line driver script written to a temporary
  directory (neither CLI can aim at a server on a port other than 53); and the same spflint
  command against a second server without latency (what is not DNS). Each process's CPU time
  (user + system) is reported next to its wall time: on a shared machine it moves less;
* where the ``check`` process's import time goes (``python -X importtime``);
* in process, median of R runs: spflint ``run_check`` (everything ``check`` does) and
  ``tree.walk`` (the fetch alone), checkdmarc ``check_spf``, pyspf ``check2``;
* spflint's DNS wait in ``run_check``: the wall time during which at least one of its queries
  was outstanding, against the physical limit, the depth of the tree (sequential round trips
  the zone data forces) times the round-trip time.

Query counts come from the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
import zones
from _common import fmt_ms, fmt_ratio, markdown_table, pyspf_on, write_results
from _dnsproc import ServerProcess
from bench_startup import import_costs, import_table

from spflint.dns.base import Answer, ZoneData
from spflint.dns.live import LiveResolver

LATENCIES = (0.0, 0.020)
PROCESS_LATENCY = 0.020
DEFAULT_REPEATS = {0.0: 15, 0.020: 7}
DEFAULT_RUNS = 15
NO_MATCH_IP = "203.0.113.77"  # outside every range of the tree: the whole tree is evaluated
GOALS = {"dns_wait_vs_floor": 1.3, "vs_checkdmarc": 5.0, "vs_pyspf": 2.5}

CHECKDMARC_DRIVER = '''\
import json, sys
import dns.resolver
import checkdmarc.spf
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [sys.argv[2]]
resolver.port = int(sys.argv[3])
result = checkdmarc.spf.check_spf(sys.argv[1], resolver=resolver)
print(json.dumps({"dns_lookups": result.get("dns_lookups"), "valid": result.get("valid"),
                  "error": result.get("error")}))
'''

PYSPF_DRIVER = '''\
import sys, warnings
import dns.resolver
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = [sys.argv[5]]
resolver.port = int(sys.argv[6])
dns.resolver.default_resolver = resolver
warnings.simplefilter("ignore", DeprecationWarning)
import spf
print(spf.check2(i=sys.argv[1], s=sys.argv[2], h=sys.argv[3], verbose=False)[0])
'''


# --- the physical limit --------------------------------------------------------------------


def tree_depth(data: ZoneData, domain: str) -> int:
    """Sequential DNS round trips the zone forces on any resolver walking ``domain``'s tree.

    The apex TXT is round trip 1; an include/redirect target's TXT, an ``a``/``exists``
    target, and an MX query are one more than the record naming them; an MX host's A/AAAA
    one more than the MX answer. Computed from the zone data alone, not from spflint.
    """
    def records(name: str, rdtype: str) -> list[Any]:
        entry = data.names.get(name)
        return [] if entry is None else [v for t, v in entry.records if t == rdtype]

    def spf_text(name: str) -> str | None:
        for value in records(name, "TXT"):
            text = b"".join(value).decode()
            if text.lower().startswith("v=spf1"):
                return text
        return None

    def depth(name: str, level: int, seen: frozenset[str]) -> int:
        text = spf_text(name)
        deepest = level
        if text is None or name in seen:
            return deepest
        for term in text.split()[1:]:
            bare = term.lstrip("+-~?")
            kind, _, target = bare.partition(":")
            if "=" in kind:
                kind, _, target = bare.partition("=")
            kind = kind.split("/")[0].lower()
            target = target.split("/")[0] or name
            if kind in ("include", "redirect"):
                deepest = max(deepest, depth(target, level + 1, seen | {name}))
            elif kind in ("a", "exists", "ptr"):
                deepest = max(deepest, level + 1)
            elif kind == "mx":
                hosts = records(target, "MX")
                deepest = max(deepest, level + (2 if hosts else 1))
        return deepest

    return depth(domain, 1, frozenset())


# --- the server's own round trip ----------------------------------------------------------


def burst_time(server: ServerProcess, names: list[tuple[str, str]]) -> float:
    """Seconds until every answer to ``names`` (sent at once from one socket) is back.

    A bare client (no parsing beyond reading datagrams), so it shows what the test server
    itself adds to the nominal latency when many questions arrive together.
    """
    import select
    import socket

    import dns.message

    wires = [dns.message.make_query(n, t, use_edns=0, payload=1232).to_wire() for n, t in names]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.connect((server.host, server.port))
        start = time.perf_counter()
        for wire in wires:
            sock.send(wire)
        pending = len(wires)
        while pending and select.select([sock], [], [], 2.0)[0]:
            sock.recv(65535)
            pending -= 1
        return time.perf_counter() - start
    finally:
        sock.close()


def server_round_trips(server: ServerProcess, repeats: int = 7) -> dict[str, float]:
    """Median time for 1, 7 and 13 questions sent together (the walk's widest level is 13)."""
    level = [(n, "TXT") for n in zones.PROVIDERS] + [(zones.DOMAIN, "MX")]
    level += [(n, "SPF") for n in list(zones.PROVIDERS)[:13 - len(level)]]
    sizes = {"1": level[:1], "7": level[:7], "13": level[:13]}
    return {k: statistics.median(burst_time(server, v) for _ in range(repeats))
            for k, v in sizes.items()}


# --- in process ----------------------------------------------------------------------------


class TimedResolver:
    """A resolver that records when each of its questions was asked and answered."""

    def __init__(self, inner: LiveResolver) -> None:
        self.inner = inner
        self.spans: list[tuple[float, float]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def query(self, name: str, rdtype: str) -> Answer:
        start = time.perf_counter()
        answer = await self.inner.query(name, rdtype)
        self.spans.append((start, time.perf_counter()))
        return answer

    def waiting(self) -> float:
        """Wall time during which at least one question was outstanding."""
        total = 0.0
        end = float("-inf")
        for a, b in sorted(self.spans):
            if b <= end:
                continue
            total += b - max(a, end)
            end = b
        return total


def spflint_run_check(server: ServerProcess) -> tuple[int, float]:
    from spflint.check import run_check
    from spflint.config import Config

    resolver = TimedResolver(LiveResolver([(server.host, server.port)]))
    result = asyncio.run(run_check(zones.DOMAIN, resolver, config=Config()))
    return result.tree.total_lookups, resolver.waiting()


def spflint_walk(server: ServerProcess) -> tuple[int, float]:
    from spflint.tree import walk

    resolver = TimedResolver(LiveResolver([(server.host, server.port)]))
    tree = asyncio.run(walk(zones.DOMAIN, resolver))
    return tree.total_lookups, resolver.waiting()


def checkdmarc_check_spf(server: ServerProcess) -> tuple[int, float]:
    import checkdmarc.spf  # type: ignore[import-untyped]
    import checkdmarc.utils  # type: ignore[import-untyped]
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    checkdmarc.utils.DNS_CACHE.clear()
    result = checkdmarc.spf.check_spf(zones.DOMAIN, resolver=resolver)
    return int(result["dns_lookups"]), float("nan")


def pyspf_check2(server: ServerProcess) -> tuple[int, float]:
    with pyspf_on(server) as spf:
        result = spf.check2(i=NO_MATCH_IP, s=zones.SENDER, h=zones.HELO)[0]
    if result != "fail":
        raise RuntimeError(f"pyspf gave {result!r} for {NO_MATCH_IP}, expected fail")
    return -1, float("nan")  # pyspf does not report a lookup count


IN_PROCESS: dict[str, Callable[[ServerProcess], tuple[int, float]]] = {
    "spflint run_check": spflint_run_check,
    "spflint tree.walk": spflint_walk,
    "checkdmarc check_spf": checkdmarc_check_spf,
    "pyspf check2 (no match)": pyspf_check2,
}


def _in_process(server: ServerProcess, func: Callable[[ServerProcess], tuple[int, float]],
                repeats: int) -> dict[str, Any]:
    try:
        func(server)  # warm-up: imports
    except ImportError as exc:
        return {"skipped": f"not available: {exc}"}
    times: list[float] = []
    waits: list[float] = []
    queries: list[int] = []
    lookups: set[int] = set()
    for _ in range(repeats):
        server.clear_log()
        start = time.perf_counter()
        counted, waited = func(server)
        times.append(time.perf_counter() - start)
        queries.append(len(server.queries))
        waits.append(waited)
        lookups.add(counted)
    result: dict[str, Any] = {"median_s": statistics.median(times), "runs_s": times,
                              "queries": max(queries), "lookups": sorted(lookups)}
    if all(w == w for w in waits):  # not NaN: a resolver spflint controls
        result["dns_wait_s"] = statistics.median(waits)
        result["dns_wait_runs_s"] = waits
    return result


# --- whole processes -----------------------------------------------------------------------


def spflint_argv() -> list[str]:
    script = shutil.which("spflint")
    return [script] if script else [sys.executable, "-m", "spflint"]


def process_commands(server: ServerProcess, quick: ServerProcess,
                     tmp: Path) -> dict[str, tuple[list[str], ServerProcess | None]]:
    """Each command and the server it asks (``quick``: the server without latency)."""
    (tmp / "checkdmarc_spf.py").write_text(CHECKDMARC_DRIVER, encoding="utf-8")
    (tmp / "pyspf_check.py").write_text(PYSPF_DRIVER, encoding="utf-8")
    host, port = server.host, str(server.port)
    return {
        "python -c pass (interpreter floor)": ([sys.executable, "-c", "pass"], None),
        SPFLINT: ([*spflint_argv(), "check", zones.DOMAIN, "--nameserver", f"{host}:{port}",
                   "--format", "json"], server),
        "checkdmarc check_spf (driver)": ([sys.executable, str(tmp / "checkdmarc_spf.py"),
                                           zones.DOMAIN, host, port], server),
        "pyspf check2, no match (driver)": ([sys.executable, str(tmp / "pyspf_check.py"),
                                             NO_MATCH_IP, zones.SENDER, zones.HELO,
                                             "-", host, port], server),
        SPFLINT_QUICK: ([*spflint_argv(), "check", zones.DOMAIN, "--nameserver",
                         quick.address, "--format", "json"], quick),
    }


SPFLINT = "spflint check --format json"
SPFLINT_QUICK = "spflint check --format json, server without latency"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _verdict(name: str, out: str) -> str:
    """What the process concluded, to show that each did the whole job."""
    try:
        if name.startswith("spflint"):
            return f"{json.loads(out)['lookups']['total']} lookups"
        if name.startswith("checkdmarc"):
            return f"{json.loads(out)['dns_lookups']} lookups"
    except (ValueError, KeyError, TypeError):
        return "unreadable output"
    return out.strip() or "-"


def whole_processes(runs: int) -> dict[str, Any]:
    env = _common.process_env()
    data = zones.zonedata()
    with ServerProcess(data, latency=PROCESS_LATENCY) as server, \
            ServerProcess(data, latency=0.0) as quick, \
            tempfile.TemporaryDirectory(prefix="spflint-bench-") as tmp:
        cmds = process_commands(server, quick, Path(tmp))
        for argv, _ in cmds.values():  # untimed: page cache and .pyc files
            subprocess.run(argv, capture_output=True, env=env, check=False)
        times: dict[str, list[float]] = {n: [] for n in cmds}
        cpu: dict[str, list[float]] = {n: [] for n in cmds}
        queries: dict[str, list[int]] = {n: [] for n in cmds}
        codes: dict[str, set[int]] = {n: set() for n in cmds}
        verdicts: dict[str, set[str]] = {n: set() for n in cmds}
        for _ in range(runs):
            for name, (argv, asked) in cmds.items():
                if asked is not None:
                    asked.clear_log()
                used = _children_cpu()
                start = time.perf_counter()
                proc = subprocess.run(argv, capture_output=True, env=env, check=False,
                                      text=True)
                times[name].append(time.perf_counter() - start)
                cpu[name].append(_children_cpu() - used)
                queries[name].append(0 if asked is None else len(asked.queries))
                codes[name].add(proc.returncode)
                verdicts[name].add(_verdict(name, proc.stdout) if proc.returncode in (0, 1)
                                   else "error: " + proc.stderr.strip()[-200:])
        costs = import_costs(["check", zones.DOMAIN, "--nameserver", server.address,
                              "--format", "json"])
    results: dict[str, Any] = {
        name: {"argv": cmds[name][0], "median_s": statistics.median(times[name]),
               "runs_s": times[name], "cpu_median_s": statistics.median(cpu[name]),
               "cpu_runs_s": cpu[name], "queries": max(queries[name]),
               "exit_codes": sorted(codes[name]), "outcome": sorted(verdicts[name])}
        for name in cmds}
    results["import_costs"] = costs
    return results


# --- report --------------------------------------------------------------------------------


def run(repeats: dict[float, int] | None = None, runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    repeats = repeats or DEFAULT_REPEATS
    data = zones.zonedata()
    depth = tree_depth(data, zones.DOMAIN)
    processes = whole_processes(runs)
    costs = processes.pop("import_costs")
    in_process: dict[str, Any] = {}
    round_trips: dict[str, dict[str, float]] = {}
    for latency in LATENCIES:
        label = f"{int(latency * 1000)} ms"
        with ServerProcess(data, latency=latency) as server:
            in_process[label] = {name: _in_process(server, func, repeats[latency])
                                 for name, func in IN_PROCESS.items()}
            round_trips[label] = server_round_trips(server)

    spf_proc = processes[SPFLINT]["median_s"]
    spf_cpu = processes[SPFLINT]["cpu_median_s"]
    process_rows: list[list[object]] = []
    for name, r in processes.items():
        peer = not (name.startswith("spflint") or name.startswith("python -c"))
        process_rows.append([name, fmt_ms(r["median_s"]), fmt_ms(r["cpu_median_s"]),
                             r["queries"], "; ".join(r["outcome"]),
                             ",".join(map(str, r["exit_codes"])),
                             fmt_ratio(r["median_s"] / spf_proc) if peer else "-",
                             fmt_ratio(r["cpu_median_s"] / spf_cpu) if peer else "-"])
    floor = depth * PROCESS_LATENCY
    at20 = in_process["20 ms"]
    waited = at20["spflint run_check"].get("dns_wait_s")
    vs_checkdmarc = processes["checkdmarc check_spf (driver)"]["median_s"] / spf_proc
    vs_pyspf = processes["pyspf check2, no match (driver)"]["median_s"] / spf_proc
    goals = {
        "dns_wait": {"measured_s": waited, "floor_s": floor,
                     "ratio": None if waited is None else waited / floor,
                     "goal": GOALS["dns_wait_vs_floor"]},
        "vs_checkdmarc": {"ratio": vs_checkdmarc, "goal": GOALS["vs_checkdmarc"]},
        "vs_pyspf": {"ratio": vs_pyspf, "goal": GOALS["vs_pyspf"]},
    }
    for goal in goals.values():
        ratio = goal["ratio"]
        goal["met"] = None if ratio is None else (
            ratio <= goal["goal"] if goal is goals["dns_wait"] else ratio >= goal["goal"])

    def cell(r: dict[str, Any]) -> str:
        if "skipped" in r:
            return f"skipped: {r['skipped']}"
        counted = ",".join(str(x) for x in r["lookups"] if x >= 0) or "-"
        wait = f", DNS wait {fmt_ms(r['dns_wait_s'])}" if "dns_wait_s" in r else ""
        return f"{fmt_ms(r['median_s'])} / {r['queries']} q / {counted} lookups{wait}"

    in_rows = [[name] + [cell(in_process[lat][name]) for lat in in_process]
               for name in IN_PROCESS]
    in_rows.append(["test server alone: 1 / 7 / 13 questions sent together"] + [
        " / ".join(fmt_ms(round_trips[lat][k]) for k in ("1", "7", "13"))
        for lat in in_process])
    lone = round_trips["20 ms"]["1"]
    return {
        "title": "spflint check vs checkdmarc and pyspf on example.com (10 lookups)",
        "headers": ["command (whole process, 20 ms latency)", "median wall", "median CPU",
                    "DNS queries", "outcome", "exit", "spflint faster (wall)",
                    "spflint faster (CPU)"],
        "rows": process_rows,
        "in_process_headers": ["in process", *[f"{lat} (time / queries / lookups)"
                                               for lat in in_process]],
        "in_process_rows": in_rows,
        "goal_rows": [
            ["spflint DNS wait (run_check, 20 ms) vs depth x RTT",
             f"{fmt_ms(waited)} vs {depth} x 20 ms = {fmt_ms(floor)}",
             fmt_ratio(goals["dns_wait"]["ratio"]), "<= 1.30x",
             _met(goals["dns_wait"]["met"])],
            ["(same, against the server's measured lone round trip)",
             f"{fmt_ms(waited)} vs {depth} x {fmt_ms(lone)} = {fmt_ms(depth * lone)}",
             fmt_ratio(None if waited is None else waited / (depth * lone)), "", ""],
            ["whole process vs checkdmarc", "", fmt_ratio(vs_checkdmarc), ">= 5x",
             _met(goals["vs_checkdmarc"]["met"])],
            ["whole process vs pyspf", "", fmt_ratio(vs_pyspf), ">= 2.5x",
             _met(goals["vs_pyspf"]["met"])],
        ],
        "parameters": {"repeats": {str(k): v for k, v in repeats.items()}, "runs": runs,
                       "domain": zones.DOMAIN, "no_match_ip": NO_MATCH_IP,
                       "tree_depth": depth, "process_latency_s": PROCESS_LATENCY},
        "goals": goals,
        "server_round_trips_s": round_trips,
        "processes": processes,
        "in_process": in_process,
        "import_costs": costs,
    }


def _met(value: bool | None) -> str:
    return "n/a" if value is None else ("met" if value else "NOT met")


def print_report(payload: dict[str, Any]) -> None:
    print(markdown_table(payload["headers"], payload["rows"]))
    print()
    print(markdown_table(payload["in_process_headers"], payload["in_process_rows"]))
    print()
    print(markdown_table(["goal", "measured", "ratio", "goal", "status"],
                         payload["goal_rows"]))
    print("\nImport time of the `check` process (python -X importtime), top 10 cumulative:\n")
    print(import_table(payload["import_costs"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, help="in-process runs per tool and latency "
                        "(default 15 at 0 ms, 7 at 20 ms)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help="whole-process runs per command")
    args = parser.parse_args(argv)
    repeats = {lat: args.repeats for lat in LATENCIES} if args.repeats else None
    payload = run(repeats, args.runs)
    print(f"### {payload['title']}\n")
    print_report(payload)
    print(f"\nJSON: {write_results('check', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
