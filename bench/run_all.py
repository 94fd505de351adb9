"""Run every benchmark; print one markdown report and write all results as one JSON file.

``python bench/run_all.py [--quick] [--only lint,startup,query,check,fix,zone]``. ``--quick`` uses
fewer repeats and smaller batches (a smoke run, not numbers to publish).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import _common
import bench_check
import bench_fix
import bench_lint
import bench_query
import bench_startup
import bench_zone
from _common import environment, markdown_table, write_results

NAMES = ("lint", "startup", "query", "check", "fix", "zone")


def runners(quick: bool) -> dict[str, Callable[[], dict[str, Any]]]:
    if quick:
        return {
            "lint": lambda: bench_lint.run(count=1000, repeats=2),
            "startup": lambda: bench_startup.run(runs=3),
            "query": lambda: bench_query.run({0.0: 3, 0.020: 2}, batch_count=1000,
                                             pyspf_batch=100),
            "check": lambda: bench_check.run({0.0: 3, 0.020: 2}, runs=2),
            "fix": lambda: bench_fix.run(repeats=2),
            "zone": lambda: bench_zone.run((100, 200), runs=1),
        }
    return {
        "lint": bench_lint.run,
        "startup": bench_startup.run,
        "query": bench_query.run,
        "check": bench_check.run,
        "fix": bench_fix.run,
        "zone": bench_zone.run,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few repeats")
    parser.add_argument("--only", default=",".join(NAMES),
                        help=f"comma-separated subset of {', '.join(NAMES)}")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(chosen) - set(NAMES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    env = environment()
    print("# spflint benchmarks\n")
    print(f"{env['date']}, Python {env['python']} ({env['implementation']}), "
          f"{env['cpus']} CPUs, {env['platform']}" + (" — quick run" if args.quick else ""))
    payloads: dict[str, Any] = {}
    table = runners(args.quick)
    for name in chosen:
        started = time.perf_counter()
        payload = table[name]()
        payload["elapsed_s"] = time.perf_counter() - started
        payloads[name] = payload
        print(f"\n## {payload['title']}\n")
        if name == "check":
            bench_check.print_report(payload)
        else:
            print(markdown_table(payload["headers"], payload["rows"]))
        if name == "startup":
            for key, note in payload["notes"].items():
                print(f"\n- {key}: {note}")
            print("\nImport time of `spflint lint` (`python -X importtime`), "
                  "top 10 cumulative:\n")
            print(bench_startup.import_table(payload["import_costs"]))
    path = write_results("all", {"quick": args.quick, "benchmarks": payloads})
    print(f"\nJSON: {path.relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
