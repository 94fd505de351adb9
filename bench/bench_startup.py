"""Whole-process start-up: spflint's CLI against pyspf's scripts, and where import time goes.

``python bench/bench_startup.py [--runs N]``. Each command runs N times, interleaved so that
background load hits every command alike; the table gives medians of wall time and of CPU time
(user + system, which moves less on a shared machine). Prints markdown and writes JSON to
bench/results/.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import _common
from _common import fmt_ms, fmt_ratio, markdown_table, write_results

DEFAULT_RUNS = 21
# The client address matches the first term, so pyspf decides without any DNS query.
RECORD = "v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ~all"
CLIENT = ("192.0.2.1", "postmaster@example.com", "mx.example.com")


def spflint_command() -> tuple[list[str], str]:
    """The spflint entry point: the console script when installed, else ``python -m``."""
    script = shutil.which("spflint")
    if script:
        return [script], f"console script {script}"
    return [sys.executable, "-m", "spflint"], "python -m spflint (no console script installed)"


def spfquery_script() -> Path | None:
    """pyspf's ``spfquery.py``, from the interpreter's scripts directory."""
    for base in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        path = Path(base) / "spfquery.py"
        if path.is_file():
            return path
    return None


def commands() -> tuple[dict[str, list[str]], dict[str, str]]:
    spflint, how = spflint_command()
    cmds: dict[str, list[str]] = {
        "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
        "spflint --version": [*spflint, "--version"],
        "spflint lint RECORD": [*spflint, "lint", RECORD],
        "python -m spf RECORD IP SENDER HELO (pyspf, no DNS)":
            [sys.executable, "-m", "spf", RECORD, *CLIENT],
    }
    script = spfquery_script()
    notes = {"spflint": how}
    if script is not None:
        cmds["spfquery.py --help (pyspf)"] = [sys.executable, str(script), "--help"]
        notes["spfquery"] = str(script)
    else:
        notes["spfquery"] = "spfquery.py not found; pyspf script row skipped"
    return cmds, notes


def children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_commands(cmds: dict[str, list[str]], runs: int) -> dict[str, dict[str, Any]]:
    """Run every command ``runs`` times, round-robin; wall and CPU time of each run."""
    env = _common.process_env(PYTHONPATH=str(_common.ROOT))
    times: dict[str, list[float]] = {name: [] for name in cmds}
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    codes: dict[str, set[int]] = {name: set() for name in cmds}
    errors: dict[str, str] = {}
    for argv in cmds.values():  # one untimed run each: page cache, .pyc files
        subprocess.run(argv, capture_output=True, env=env, cwd=_common.ROOT, check=False)
    for _ in range(runs):
        for name, argv in cmds.items():
            used = children_cpu()
            start = time.perf_counter()
            proc = subprocess.run(argv, capture_output=True, env=env, cwd=_common.ROOT,
                                  check=False)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(children_cpu() - used)
            codes[name].add(proc.returncode)
            if b"Traceback" in proc.stderr:
                errors[name] = proc.stderr.decode(errors="replace").strip().splitlines()[-1]
    return {
        name: {"argv": cmds[name], "median_s": statistics.median(times[name]),
               "runs_s": times[name], "cpu_median_s": statistics.median(cpu[name]),
               "cpu_runs_s": cpu[name], "exit_codes": sorted(codes[name]),
               "error": errors.get(name)}
        for name in cmds
    }


def import_costs(args: list[str] | None = None, top: int = 10) -> dict[str, Any]:
    """``python -X importtime -m spflint ARGS`` (default ``lint "v=spf1 -all"``): the
    costliest imports.

    ``-X importtime`` times ``import`` statements only: a module loaded with
    ``importlib.import_module`` (a command's module, a rule module) is missing from the list,
    though the imports it makes are listed.
    """
    argv = [sys.executable, "-X", "importtime", "-m", "spflint",
            *(args if args is not None else ["lint", "v=spf1 -all"])]
    env = _common.process_env(PYTHONPATH=str(_common.ROOT))
    subprocess.run(argv, capture_output=True, env=env, cwd=_common.ROOT, check=False)  # .pyc
    proc = subprocess.run(argv, capture_output=True, env=env, cwd=_common.ROOT, check=False)
    entries: list[dict[str, Any]] = []
    for line in proc.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        entries.append({"module": name.strip(), "depth": depth,
                        "self_us": int(self_us), "cumulative_us": int(cumulative_us)})
    # A parent is listed after its children: everything up to the top-level ``site`` entry is
    # the interpreter's own start-up (site-packages .pth files), paid by every command alike.
    site = next((i for i, e in enumerate(entries) if e["module"] == "site" and not e["depth"]),
                -1)
    floor_us = entries[site]["cumulative_us"] if site >= 0 else 0
    ours = entries[site + 1:]
    by_cumulative = sorted(ours, key=lambda e: e["cumulative_us"], reverse=True)[:top]
    by_self = sorted(ours, key=lambda e: e["self_us"], reverse=True)[:top]
    return {"argv": argv, "exit_code": proc.returncode, "site_us": floor_us,
            "after_site_us": sum(e["self_us"] for e in ours),
            "by_cumulative": by_cumulative, "by_self": by_self}


def run(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    cmds, notes = commands()
    timed = time_commands(cmds, runs)
    floor = timed["python -c pass (interpreter floor)"]["median_s"]
    peer = timed["python -m spf RECORD IP SENDER HELO (pyspf, no DNS)"]["median_s"]
    rows: list[list[object]] = []
    for name, result in timed.items():
        status = ("error: " + result["error"]) if result["error"] else \
            "exit " + ",".join(map(str, result["exit_codes"]))
        rows.append([name, fmt_ms(result["median_s"]),
                     fmt_ms(result["median_s"] - floor), fmt_ms(result["cpu_median_s"]),
                     fmt_ratio(result["median_s"] / peer), status])
    costs = import_costs()
    return {
        "title": f"Process start-up (median of {runs} runs, wall time)",
        "headers": ["command", "median wall", "above interpreter floor", "median CPU",
                    "vs pyspf python -m spf", "status"],
        "rows": rows,
        "notes": notes,
        "parameters": {"runs": runs, "record": RECORD, "client": CLIENT},
        "results": timed,
        "import_costs": costs,
    }


def import_table(costs: dict[str, Any]) -> str:
    rows = [[e["module"], e["depth"], f"{e['cumulative_us'] / 1000:.1f}",
             f"{e['self_us'] / 1000:.1f}"] for e in costs["by_cumulative"]]
    head = (f"All imports after `site`: {costs['after_site_us'] / 1000:.1f} ms "
            f"(`site` itself: {costs['site_us'] / 1000:.1f} ms).\n\n")
    return head + markdown_table(["module", "depth", "cumulative ms", "self ms"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    args = parser.parse_args(argv)
    payload = run(args.runs)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    for key, note in payload["notes"].items():
        print(f"\n- {key}: {note}")
    print("\n### Import time of `spflint lint` (python -X importtime), top 10 cumulative\n")
    print(import_table(payload["import_costs"]))
    fat = ", ".join(f"{e['module']} {e['self_us'] / 1000:.1f} ms"
                    for e in payload["import_costs"]["by_self"])
    print(f"\nLargest self times: {fat}")
    print(f"\nJSON: {write_results('startup', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
