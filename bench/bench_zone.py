"""``spflint zone`` over a generated repository of BIND zone files, offline, as a whole process.

``python bench/bench_zone.py [--sizes 250,500,1000] [--runs R]``. For each size N a
repository is generated in a temporary directory: 8 provider zones defining shared
``_spf.mailN.example`` records (each including an external provider), and N - 8 customer
zones with three SPF records each (apex, ``bounce``, ``mail``) that include the shared records
and external providers. External names are answered by an ``spflint.lock`` written for them
(the provider records of ``bench/zones.py``). Timed: ``spflint zone <all files> --offline
--lock spflint.lock --format json``, median of R runs. The DNS questions are counted in
process (``check_zones`` with a counting resolver over the same layers): each name should be
asked once per run however many files include it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
import zones
from _common import fmt_ms, markdown_table, write_results

from spflint.dns.base import Answer

DEFAULT_SIZES = (250, 500, 1000)
DEFAULT_RUNS = 3
PROVIDERS = 8
GOAL_S = 5.0
EXTERNAL = sorted(zones.PROVIDERS)  # answered by the lock file
LOCK_DATE = "2026-01-01T00:00:00Z"


def _txt(text: str) -> str:
    return '"' + text + '"'


def _zone(origin: str, serial: int, body: list[str]) -> str:
    head = [f"$ORIGIN {origin}.", "$TTL 3600",
            f"@ IN SOA ns1.{origin}. hostmaster.{origin}. {serial} 7200 3600 1209600 3600",
            f"@ IN NS ns1.{origin}.", "ns1 IN A 192.0.2.53"]
    return "\n".join(head + body) + "\n"


def generate(root: Path, files: int) -> list[Path]:
    """Write ``files`` zone files and ``spflint.lock`` under ``root``; the zone paths."""
    paths: list[Path] = []
    direct = [n for n in EXTERNAL if not n.startswith("_netblocks")]
    for k in range(PROVIDERS):
        origin = f"mail{k}.example"
        external = direct[k % len(direct)]
        body = [f"_spf IN TXT {_txt(f'v=spf1 ip4:198.18.{k}.0/24 include:{external} ~all')}"]
        path = root / f"db.{origin}"
        path.write_text(_zone(origin, 2026010101, body), encoding="utf-8")
        paths.append(path)
    for i in range(files - PROVIDERS):
        origin = f"customer{i}.example"
        a, b = i % PROVIDERS, (i * 3 + 1) % PROVIDERS
        external = direct[(i + 3) % len(direct)]
        host = f"198.51.{i // 250}.{i % 250}"
        apex = f"v=spf1 ip4:{host} mx include:_spf.mail{a}.example include:{external} -all"
        body = [
            f"@ IN TXT {_txt(apex)}",
            '@ IN TXT "google-site-verification=abcdefghijklmnop"',
            "@ IN MX 10 mx1",
            f"mx1 IN A {host}",
            f"bounce IN TXT {_txt(f'v=spf1 include:_spf.mail{b}.example ~all')}",
            f"mail IN A {host}",
            f"mail IN TXT {_txt('v=spf1 a -all')}",
        ]
        path = root / f"db.{origin}"
        path.write_text(_zone(origin, 2026010101, body), encoding="utf-8")
        paths.append(path)
    (root / "spflint.lock").write_text(lock_text(), encoding="utf-8")
    return paths


def lock_text() -> str:
    """An ``spflint.lock`` (format 1) with TXT, A, AAAA and MX answers for the external names."""
    answers: dict[str, Any] = {}
    for name in EXTERNAL:
        entry: dict[str, dict[str, Any]] = {
            rdtype: {"date": LOCK_DATE, "outcome": "nodata", "records": [], "ttl": None}
            for rdtype in ("A", "AAAA", "MX")
        }
        entry["TXT"] = {"date": LOCK_DATE, "outcome": "ok",
                        "records": [[zones.PROVIDERS[name]]], "ttl": 300}
        answers[name] = entry
    return json.dumps({"answers": answers, "format": 1}, indent=2, sort_keys=True) + "\n"


class CountingResolver:
    """Counts the questions asked of the resolver it wraps."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def query(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name, rdtype))
        answer: Answer = await self.inner.query(name, rdtype)
        return answer


def count_questions(paths: list[Path], lock: Path) -> dict[str, Any]:
    """Run ``check_zones`` in process with a counting resolver: questions, distinct ones."""
    from spflint.config import Config
    from spflint.zones.check import check_zones, read_zones, repo_resolver
    from spflint.zones.lock import read_lock

    loaded, errors = read_zones([str(p) for p in paths])
    resolver = CountingResolver(repo_resolver(loaded, lock=read_lock(lock), offline=True))
    start = time.perf_counter()
    check = check_zones(loaded, errors, Config(), resolver)
    elapsed = time.perf_counter() - start
    asked = resolver.asked
    shared = [q for q in asked if not q[0].rstrip(".").split(".")[-2].startswith("customer")]
    return {"questions": len(asked), "distinct": len(set(asked)),
            "shared_questions": len(shared), "shared_distinct": len(set(shared)),
            "records": len(check.records), "in_process_s": elapsed,
            "dns_failures": len(check.dns_failures), "errors": len(errors)}


def time_zone(paths: list[Path], root: Path, runs: int) -> dict[str, Any]:
    script = shutil.which("spflint")
    base = [script] if script else [sys.executable, "-m", "spflint"]
    argv = [*base, "zone", *map(str, paths), "--offline", "--lock", str(root / "spflint.lock"),
            "--format", "json"]
    env = _common.process_env()
    subprocess.run(argv, capture_output=True, env=env, cwd=root, check=False)  # warm-up
    times: list[float] = []
    codes: set[int] = set()
    records = 0
    dns_failures = 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, env=env, cwd=root, check=False)
        times.append(time.perf_counter() - start)
        codes.add(proc.returncode)
        try:
            doc = json.loads(proc.stdout)
            records = sum(len(f["records"]) for f in doc["files"])
            dns_failures = len(doc.get("dns_failures", []))
        except (ValueError, KeyError, TypeError):
            records = -1
    return {"median_s": statistics.median(times), "runs_s": times, "exit_codes": sorted(codes),
            "records": records, "dns_failures": dns_failures}


def run(sizes: tuple[int, ...] = DEFAULT_SIZES, runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rows: list[list[object]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="spflint-zones-") as tmp:
            root = Path(tmp)
            paths = generate(root, size)
            timed = time_zone(paths, root, runs)
            counted = count_questions(paths, root / "spflint.lock")
        timed.update(counted)
        results[str(size)] = timed
        rows.append([size, timed["records"], fmt_ms(timed["median_s"]),
                     f"{timed['median_s'] / size * 1000:.2f} ms",
                     f"{timed['questions']} ({timed['distinct']} distinct)",
                     f"{timed['questions'] / size:.2f}",
                     f"{timed['shared_questions']} ({timed['shared_distinct']} distinct)",
                     ",".join(map(str, timed["exit_codes"])), timed["dns_failures"]])
    largest = results[str(max(sizes))]["median_s"]
    return {
        "title": "spflint zone --offline over a generated BIND repository (whole process, "
                 f"median of {runs})",
        "headers": ["files", "SPF records", "time", "per file", "DNS questions answered",
                    "questions per file",
                    "of which shared names", "exit", "DNS failures"],
        "rows": rows,
        "goal": {"seconds": GOAL_S, "files": max(sizes), "measured_s": largest,
                 "met": largest < GOAL_S},
        "parameters": {"sizes": list(sizes), "runs": runs, "providers": PROVIDERS,
                       "external_names": EXTERNAL},
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    payload = run(sizes, args.runs)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    goal = payload["goal"]
    print(f"\nGoal: {goal['files']} files under {goal['seconds']:.0f} s: "
          f"{'met' if goal['met'] else 'NOT met'} ({goal['measured_s']:.2f} s)")
    print(f"\nJSON: {write_results('zone', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
