"""Finding the zone files of a repository by content: cost per file and per 1,000 files.

``python bench/bench_discover.py [--sizes 1000,5000] [--runs R]``. For each size N a
repository of N files is generated in a temporary directory, shaped like a DNS-as-code
repository with its tooling: BIND zone files (some with an ``$INCLUDE`` fragment), octoDNS
zone files, Python scripts, Markdown, CI YAML, Jinja templates and binary files. Timed, median
of R runs: ``discover()`` in process (every file's head read and judged), and, as whole
processes, what the pre-commit hook runs: ``spflint zone --offline`` with one changed zone
file, with every file of the repository (``pre-commit run --all-files`` with ``types:
[text]``), and with no argument.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import fmt_ms, markdown_table, write_results

DEFAULT_SIZES = (1000, 5000)
DEFAULT_RUNS = 5

# Share of each kind of file, out of 100.
MIX = {"bind": 15, "fragment": 5, "octodns": 5, "python": 35, "markdown": 15, "yaml": 10,
       "template": 5, "binary": 10}

PYTHON = '''"""Render the zones of customer {i}."""

import json
import pathlib


def render(zone: dict[str, str]) -> str:
    lines = [f"{{name}} IN A {{address}}" for name, address in zone.items()]
    return "\\n".join(lines)


if __name__ == "__main__":
    data = json.loads(pathlib.Path("customer{i}.json").read_text())
    print(render(data))
''' + "# padding line for a realistic size\n" * 60

MARKDOWN = "# Customer {i}\n\nThe zone is served by ns1. To add a host write\n\n" \
           "    www IN A 192.0.2.80\n\nthen open a pull request.\n" + "More prose.\n" * 80

YAML = "name: CI {i}\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n" \
       "    steps:\n      - uses: actions/checkout@v4\n      - run: make lint\n"

TEMPLATE = "$ORIGIN {{{{ zone }}}}.\n$TTL 3600\n@ IN SOA ns1 hostmaster {{{{ serial }}}} 1 2 3 4\n"


def _bind(i: int, include: bool) -> str:
    body = [f"$ORIGIN customer{i}.example.", "$TTL 3600",
            "@ IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600",
            "@ IN NS ns1", "ns1 IN A 192.0.2.53",
            f'@ IN TXT "v=spf1 ip4:198.51.{i // 250 % 250}.{i % 250} include:_spf.mail.example'
            ' -all"']
    body += [f"host{k} IN A 192.0.2.{k}" for k in range(40)]
    if include:
        body.append(f"$INCLUDE spf/customer{i}.inc")
    return "\n".join(body) + "\n"


def _octodns(i: int) -> str:
    records = ["'':\n  - type: TXT\n    value: v=spf1 include:_spf.mail.example -all\n"]
    records += [f"host{k}:\n  type: A\n  value: 192.0.2.{k}\n" for k in range(40)]
    return "".join(records)


def generate(root: Path, files: int) -> dict[str, list[Path]]:
    """Write ``files`` files under ``root`` (a ``.git`` directory marks the top); by kind."""
    (root / ".git").mkdir()
    kinds = [kind for kind, share in MIX.items() for _ in range(share)]
    out: dict[str, list[Path]] = {kind: [] for kind in MIX}
    zone = root / "zones"
    for i in range(files):
        kind = kinds[i % len(kinds)]
        group = root / f"part{i // 500}"
        if kind == "bind":
            path = zone / f"db.customer{i}.example"
            text = _bind(i, include=i % 100 < 5)
        elif kind == "fragment":
            path = zone / "spf" / f"customer{i - 15}.inc"
            text = 'bounce IN TXT "v=spf1 include:_spf.mail.example -all"\n'
        elif kind == "octodns":
            path = root / "octodns" / f"customer{i}.example.yaml"
            text = _octodns(i)
        elif kind == "python":
            path = group / "scripts" / f"render{i}.py"
            text = PYTHON.format(i=i)
        elif kind == "markdown":
            path = group / "docs" / f"customer{i}.md"
            text = MARKDOWN.format(i=i)
        elif kind == "yaml":
            path = group / "ci" / f"job{i}.yml"
            text = YAML.format(i=i)
        elif kind == "template":
            path = group / "templates" / f"db.customer{i}.example.j2"
            text = TEMPLATE.format(i=i)
        else:
            path = group / "assets" / f"logo{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 80)
            out[kind].append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out[kind].append(path)
    shared = zone / "db.mail.example"
    shared.write_text('$ORIGIN mail.example.\n_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n',
                      encoding="utf-8")
    out["bind"].append(shared)
    return out


def time_discover(root: Path, runs: int) -> tuple[float, int, int]:
    from spflint.zones.discover import discover

    times = []
    found = discover(str(root))
    for _ in range(runs):
        start = time.perf_counter()
        found = discover(str(root))
        times.append(time.perf_counter() - start)
    return statistics.median(times), found.examined, len(found.zones)


def time_sniff(paths: list[Path], runs: int) -> float:
    """Median seconds per file to judge ``paths`` (head read and decision)."""
    from spflint.zones.discover import sniff_file

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for path in paths:
            sniff_file(str(path))
        times.append((time.perf_counter() - start) / len(paths))
    return statistics.median(times)


def time_process(root: Path, args: list[str], runs: int) -> tuple[float, set[int]]:
    script = shutil.which("spflint")
    base = [script] if script else [sys.executable, "-m", "spflint"]
    argv = [*base, "zone", "--offline", "--format", "json", *args]
    env = _common.process_env()
    subprocess.run(argv, capture_output=True, env=env, cwd=root, check=False)  # warm-up
    times = []
    codes = set()
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, cwd=root, check=False)
        times.append(time.perf_counter() - start)
        codes.add(done.returncode)
    return statistics.median(times), codes


def run(sizes: tuple[int, ...] = DEFAULT_SIZES, runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rows: list[list[object]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="spflint-discover-") as tmp:
            root = Path(tmp)
            by_kind = generate(root, size)
            elapsed, examined, zones = time_discover(root, runs)
            zone_file = by_kind["bind"][0]
            other = by_kind["python"] + by_kind["markdown"] + by_kind["binary"]
            per_zone = time_sniff(by_kind["bind"], runs)
            per_other = time_sniff(other, runs)
            one, one_codes = time_process(root, [str(zone_file.relative_to(root))], runs)
            everything = [str(p.relative_to(root)) for kind in by_kind.values() for p in kind
                          if p.suffix != ".png"]
            every, every_codes = time_process(root, everything, runs)
            whole, whole_codes = time_process(root, [], runs)
        results[str(size)] = {
            "discover_s": elapsed, "files": examined, "zones": zones,
            "per_file_s": elapsed / examined, "sniff_zone_s": per_zone,
            "sniff_other_s": per_other, "one_file_s": one, "all_files_s": every,
            "no_argument_s": whole,
            "exit_codes": sorted(one_codes | every_codes | whole_codes),
        }
        rows.append([examined, zones, fmt_ms(elapsed), f"{elapsed / examined * 1e6:.0f} µs",
                     fmt_ms(elapsed / examined * 1000), f"{per_zone * 1e6:.0f} µs",
                     f"{per_other * 1e6:.0f} µs", fmt_ms(one), fmt_ms(every), fmt_ms(whole)])
    return {
        "title": "Finding zone files by content (discover(): in process; spflint zone: whole "
                 f"process, --offline; median of {runs})",
        "headers": ["files", "zones found", "discover()", "per file", "per 1,000 files",
                    "judge a zone file", "judge another file", "zone ONE_FILE",
                    "zone ALL_FILES", "zone (no argument)"],
        "rows": rows,
        "parameters": {"sizes": list(sizes), "runs": runs, "mix": MIX},
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
    print(f"\nresults: {write_results('discover', payload)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
