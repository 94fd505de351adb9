"""``spflint zone --offline`` over a generated zone repository at real size, as whole processes.

``python bench/bench_zone_repo.py [--files 800] [--records 600000] [--big 100000] [--runs 3]``.

Two cases, each generated into a temporary directory (seed 1035, so every run writes the same
bytes):

- **repository**: about ``--files`` zone files holding about ``--records`` records in all,
  three quarters BIND master files and one quarter octoDNS YAML. Zone sizes follow a long
  tail (a few zones of tens of thousands of records, most of a few hundred), the mix of a
  real forward zone (A, AAAA, CNAME, MX, TXT verification tokens and DKIM keys, SRV, CAA,
  delegations with glue), some reverse zones built with ``$GENERATE``, a shared ``$INCLUDE``
  file, and some hundreds of SPF records: every apex, plus ``mail`` and ``bounce`` names,
  including each other's ``_spf`` records across zones and external providers. The external
  names are answered by an ``spflint.lock`` (the provider records of ``bench/zones.py``).
  Timed: ``spflint zone ROOT --offline --lock spflint.lock --format json``.
- **one zone**: a single BIND file of ``--big`` records, ``spflint zone FILE --offline
  --format json``.

Each command runs once untimed, then ``--runs`` times; the table gives the median wall time,
records per second and the peak resident set size of the process (``wait4``). Then, in
process, where the repository's time goes: reading the files, building the resolver layers,
linting and walking (``check_zones``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
import bench_zone
from _common import markdown_table, write_results

DEFAULT_FILES = 800
DEFAULT_RECORDS = 600_000
DEFAULT_BIG = 100_000
DEFAULT_RUNS = 3
SEED = 1035
PROVIDERS = 8  # provider zones defining _spf.mailK.example
REVERSE = 6  # reverse zones made of $GENERATE'd PTR records
GOAL_TREE_S = 10.0
GOAL_BIG_S = 5.0
GOAL_BIG_MB = 300.0
DIRECT = [n for n in bench_zone.EXTERNAL if not n.startswith("_netblocks")]


def _sizes(rng: random.Random, count: int, total: int, low: int, high: int) -> list[int]:
    """``count`` zone sizes with a long tail between ``low`` and ``high``, adding up to about
    ``total``."""
    raw = [rng.paretovariate(1.1) for _ in range(count)]
    scale = total / sum(raw)
    for _ in range(20):  # clipping at the ends loses some of the total: spread it again
        sizes = [max(low, min(int(r * scale), high)) for r in raw]
        if sum(sizes) >= total * 0.995:
            break
        scale *= total / max(sum(sizes), 1)
    return sizes


def _spf(rng: random.Random, index: int, host: str) -> str:
    own = f"_spf.mail{index % PROVIDERS}.example"
    external = DIRECT[index % len(DIRECT)]
    extra = f" include:{DIRECT[(index + 3) % len(DIRECT)]}" if rng.random() < 0.3 else ""
    return f"v=spf1 ip4:{host} mx include:{own} include:{external}{extra} -all"


def _host(i: int) -> str:
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def _body(rng: random.Random, size: int, index: int) -> list[tuple[str, str, str]]:
    """(label, type, data) of a forward zone's records besides SOA, NS and the apex ones."""
    out: list[tuple[str, str, str]] = []
    host = _host(index * 7 + 1)
    out.append(("mail", "A", host))
    out.append(("mail", "TXT", "v=spf1 a -all"))
    bounce = f"v=spf1 include:_spf.mail{(index * 3 + 1) % PROVIDERS}.example ~all"
    out.append(("bounce", "TXT", bounce))
    out.append(("_dmarc", "TXT", "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.net"))
    out.append(("selector1._domainkey", "TXT", "v=DKIM1; k=rsa; p=" + "MIGfMA0GCSqGSIb3DQEB"
                                                 * 10))
    if index % 5 == 0:
        out.append(("dept", "NS", "ns1.dept"))
        out.append(("ns1.dept", "A", _host(index + 99)))
    i = 0
    while len(out) < size:
        i += 1
        roll = rng.random()
        label = f"host{i}"
        if roll < 0.40:
            out.append((label, "A", _host(index * 4096 + i)))
        elif roll < 0.55:
            out.append((label, "AAAA", f"2001:db8:{index:x}::{i >> 16:x}:{i & 0xffff:x}"))
        elif roll < 0.70:
            out.append((f"www{i}", "CNAME", f"host{max(1, i - 1)}"))
        elif roll < 0.75:
            out.append((label, "MX", f"10 mx{i % 3}.{'' if i % 2 else 'mail.'}provider.example."))
        elif roll < 0.85:
            out.append((label, "TXT", f"site-verification={rng.getrandbits(64):016x}"))
        elif roll < 0.95:
            out.append((f"_sip._tcp.{label}", "SRV", f"10 5 5060 {label}"))
        elif roll < 0.98:
            out.append((label, "CAA", '0 issue "ca.example.net"'))
        else:
            out.append((f"{label}._domainkey", "TXT", "v=DKIM1; p=" + "QUFB" * 30))
    return out


def _bind_zone(rng: random.Random, origin: str, size: int, index: int, include: bool) -> str:
    host = _host(index * 7 + 1)
    head = [f"; {origin}, generated", f"$ORIGIN {origin}.", "$TTL 3600",
            f"@\tIN\tSOA\tns1.{origin}. hostmaster.{origin}. (",
            f"\t\t{2026010100 + index % 90}\t; serial", "\t\t7200 3600 1209600 3600 )",
            "\tIN\tNS\tns1", "\tIN\tNS\tns2.dns-host.example.", f"ns1\tIN\tA\t{host}",
            "@\tIN\tMX\t10 mx1", f"mx1\tIN\tA\t{host}",
            f'@\tIN\tTXT\t"{_spf(rng, index, host)}"',
            '@\tIN\tTXT\t"google-site-verification=0123456789abcdef0123456789abcdef"']
    if include:
        head.append("$INCLUDE common/shared.inc")
    lines = head
    for label, rdtype, data in _body(rng, size - 10, index):
        if rdtype in ("TXT", "SPF"):
            data = '"' + data + '"' if len(data) <= 255 else " ".join(
                '"' + data[k:k + 200] + '"' for k in range(0, len(data), 200))
        ttl = "\t300" if rng.random() < 0.3 else ""
        lines.append(f"{label}{ttl}\tIN\t{rdtype}\t{data}")
    return "\n".join(lines) + "\n"


def _reverse_zone(index: int) -> tuple[str, str, int]:
    origin = f"{index}.51.198.in-addr.arpa"
    text = (f"$ORIGIN {origin}.\n$TTL 86400\n@ IN SOA ns1.example.net. hostmaster.example.net."
            f" 1 7200 3600 1209600 3600\n  IN NS ns1.example.net.\n"
            f"$GENERATE 1-250 $ PTR host-${{0,3}}.pool{index}.example.net.\n"
            f"251 IN PTR gw.pool{index}.example.net.\n")
    return origin, text, 253


def _octodns_zone(rng: random.Random, origin: str, size: int, index: int) -> str:
    host = _host(index * 7 + 3)
    lines = ["---", "'':", "  - type: TXT", "    values:",
             f"      - {_spf(rng, index, host)}",
             "      - google-site-verification=abcdef0123456789",
             "  - type: MX", "    values:", f"      - exchange: mx1.{origin}.",
             "        preference: 10"]
    by_label: dict[str, list[tuple[str, str]]] = {}
    for label, rdtype, data in _body(rng, size - 3, index):
        if rdtype in ("A", "AAAA", "CNAME", "TXT"):
            value = data.replace(";", "\\;") if rdtype == "TXT" else data
            by_label.setdefault(label, []).append(
                (rdtype, f"{data}.{origin}." if rdtype == "CNAME" else value))
    for label, entries in by_label.items():
        lines.append(f"{label}:")
        for rdtype, value in entries:
            lines += [f"  - type: {rdtype}", f"    value: '{value}'"]
    return "\n".join(lines) + "\n"


def generate(root: Path, files: int, records: int) -> dict[str, int]:
    """Write the repository under ``root``; counts of files and records written."""
    rng = random.Random(SEED)
    # A repository, as zone files live in: $INCLUDE may reach anywhere in its work tree.
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    zones = root / "zones"
    (zones / "common").mkdir(parents=True)
    (zones / "common" / "shared.inc").write_text(
        "; included by many zones\n@\tIN\tTXT\t\"ms-verification=MS=ms12345678\"\n"
        "autodiscover\tIN\tCNAME\tautodiscover.outlook.com.\n", encoding="utf-8")
    written = {"bind": 0, "octodns": 0, "records": 0, "generated": 0}
    for k in range(PROVIDERS):
        origin = f"mail{k}.example"
        external = DIRECT[k % len(DIRECT)]
        text = (f"$ORIGIN {origin}.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600"
                f"\n@ IN NS ns1\nns1 IN A 192.0.2.{k + 1}\n_spf IN TXT"
                f' "v=spf1 ip4:198.18.{k}.0/24 include:{external} ~all"\n')
        (zones / f"db.{origin}").write_text(text, encoding="utf-8")
        written["bind"] += 1
        written["records"] += 4
    for k in range(REVERSE):
        origin, text, count = _reverse_zone(k)
        (zones / "reverse").mkdir(exist_ok=True)
        (zones / "reverse" / f"db.{origin}").write_text(text, encoding="utf-8")
        written["bind"] += 1
        written["records"] += count
        written["generated"] += 250
    rest = files - PROVIDERS - REVERSE
    octo = rest // 4
    # octoDNS repositories hold the smaller zones.
    octo_sizes = _sizes(rng, octo, min(records // 40, octo * 120), 12, 400)
    bind_sizes = _sizes(rng, rest - octo, records - written["records"] - sum(octo_sizes), 12,
                        records // 6)
    for i, size in enumerate(octo_sizes):
        origin = f"octo{i}.example"
        text = _octodns_zone(rng, origin, size, i)
        (root / "octodns").mkdir(exist_ok=True)
        (root / "octodns" / f"{origin}.yaml").write_text(text, encoding="utf-8")
        written["octodns"] += 1
        written["records"] += text.count("\n  - type: ") + 1
    for i, size in enumerate(bind_sizes):
        origin = f"zone{i}.example"
        text = _bind_zone(rng, origin, size, i, include=i % 4 == 1)
        sub = zones / f"{i % 10}"
        sub.mkdir(exist_ok=True)
        (sub / f"db.{origin}").write_text(text, encoding="utf-8")
        written["bind"] += 1
        written["records"] += text.count("\tIN\t") + (2 if i % 4 == 1 else 0)
    (root / "spflint.lock").write_text(bench_zone.lock_text(), encoding="utf-8")
    return written


def generate_big(path: Path, records: int) -> int:
    rng = random.Random(SEED + 1)
    text = _bind_zone(rng, "big.example", records, 5, include=False)
    path.write_text(text, encoding="utf-8")
    return text.count("\tIN\t")


def _timed(argv: list[str], cwd: Path) -> tuple[float, float, float, int, bytes]:
    """Wall seconds, CPU seconds, peak RSS in MB, exit code and stdout of one process."""
    env = _common.process_env()
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, cpu, usage.ru_maxrss / 1024, proc.returncode, out.read()


def _spflint() -> list[str]:
    script = shutil.which("spflint")
    return [script] if script else [sys.executable, "-m", "spflint"]


def time_zone(argv: list[str], cwd: Path, runs: int) -> dict[str, Any]:
    _timed(argv, cwd)  # warm-up: bytecode and file cache
    times: list[float] = []
    cpus: list[float] = []
    peaks: list[float] = []
    codes: set[int] = set()
    stdout = b""
    for _ in range(runs):
        elapsed, cpu, peak, code, stdout = _timed(argv, cwd)
        times.append(elapsed)
        cpus.append(cpu)
        peaks.append(peak)
        codes.add(code)
    summary: dict[str, Any] = {"median_s": statistics.median(times), "runs_s": times,
                               "cpu_s": statistics.median(cpus),
                               "peak_mb": max(peaks), "exit_codes": sorted(codes)}
    try:
        doc = json.loads(stdout)
        summary["files"] = len(doc["files"])
        summary["file_errors"] = sum(1 for f in doc["files"] if f.get("error"))
        summary["spf_records"] = sum(len(f["records"]) for f in doc["files"])
        summary["dns_failures"] = len(doc.get("dns_failures", []))
    except (ValueError, KeyError, TypeError):
        summary["files"] = -1
    return summary


def where_time_goes(root: Path) -> dict[str, float]:
    """In process, CPU seconds (steadier than wall time on a shared machine): reading the
    BIND files, reading the octoDNS files, the resolver layers, lint and walks."""
    from spflint.config import Config
    from spflint.zones.check import check_zones, read_zones, repo_resolver
    from spflint.zones.lock import read_lock

    start = time.process_time()
    bind_zones, bind_errors = read_zones([str(root / "zones")])
    bind_read = time.process_time()
    octo_zones, octo_errors = read_zones([str(root / "octodns")])
    octo_read = time.process_time()
    zones = bind_zones + octo_zones
    resolver = repo_resolver(zones, lock=read_lock(root / "spflint.lock"), offline=True)
    layers = time.process_time()
    check_zones(zones, bind_errors + octo_errors, Config(), resolver)
    checked = time.process_time()
    return {"bind_read_s": bind_read - start, "octodns_read_s": octo_read - bind_read,
            "resolver_s": layers - octo_read, "check_s": checked - layers}


def run(files: int = DEFAULT_FILES, records: int = DEFAULT_RECORDS, big: int = DEFAULT_BIG,
        runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="spflint-repo-") as tmp:
        root = Path(tmp)
        written = generate(root, files, records)
        big_path = root / "db.big.example"
        big_written = generate_big(big_path, big)
        # The whole processes first: a child started from a large parent reports the parent's
        # peak memory as its own, so the in-process phases come last.
        tree = time_zone([*_spflint(), "zone", str(root / "zones"), str(root / "octodns"),
                          "--offline", "--lock", str(root / "spflint.lock"), "--format", "json"],
                         root, runs)
        one = time_zone([*_spflint(), "zone", str(big_path), "--offline", "--format", "json"],
                        root, runs)
        phases = where_time_goes(root)
    tree_records = written["records"] + written["generated"]
    rows = [
        ["repository", f"{written['bind'] + written['octodns']:,} ({written['bind']:,} BIND,"
         f" {written['octodns']:,} octoDNS)", f"{tree_records:,}", tree["spf_records"],
         f"{tree['median_s']:.2f} s", f"{tree['cpu_s']:.2f} s",
         f"{tree_records / tree['median_s']:,.0f}",
         f"{tree['peak_mb']:,.0f} MB", ",".join(map(str, tree["exit_codes"])),
         tree.get("file_errors", "?"), tree.get("dns_failures", "?")],
        ["one zone", "1", f"{big_written:,}", one["spf_records"], f"{one['median_s']:.2f} s",
         f"{one['cpu_s']:.2f} s",
         f"{big_written / one['median_s']:,.0f}", f"{one['peak_mb']:,.0f} MB",
         ",".join(map(str, one["exit_codes"])), one.get("file_errors", "?"),
         one.get("dns_failures", "?")],
    ]
    return {
        "title": "spflint zone --offline at real size (whole process, median of "
                 f"{runs} after one warm-up run)",
        "headers": ["case", "files", "records", "SPF records", "time", "CPU", "records/s",
                    "peak RSS",
                    "exit", "file errors", "DNS failures"],
        "rows": rows,
        "phases": phases,
        "goals": {
            "tree": {"seconds": GOAL_TREE_S, "measured_s": tree["median_s"],
                     "met": tree["median_s"] < GOAL_TREE_S},
            "one_zone": {"seconds": GOAL_BIG_S, "peak_mb": GOAL_BIG_MB,
                         "measured_s": one["median_s"], "measured_mb": one["peak_mb"],
                         "met": one["median_s"] < GOAL_BIG_S and one["peak_mb"] < GOAL_BIG_MB},
        },
        "parameters": {"files": files, "records": records, "big": big, "runs": runs,
                       "seed": SEED, "written": written},
        "results": {"tree": tree, "one_zone": one},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--records", type=int, default=DEFAULT_RECORDS)
    parser.add_argument("--big", type=int, default=DEFAULT_BIG)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    args = parser.parse_args(argv)
    payload = run(args.files, args.records, args.big, args.runs)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    phases = payload["phases"]
    print(f"\nIn process (repository, CPU time): reading BIND {phases['bind_read_s']:.2f} s, "
          f"reading octoDNS {phases['octodns_read_s']:.2f} s, resolver layers "
          f"{phases['resolver_s']:.2f} s, lint and walks {phases['check_s']:.2f} s")
    goals = payload["goals"]
    print(f"\nGoal: repository under {goals['tree']['seconds']:.0f} s: "
          f"{'met' if goals['tree']['met'] else 'NOT met'} ({goals['tree']['measured_s']:.2f} s)")
    one = goals["one_zone"]
    print(f"Goal: one zone under {one['seconds']:.0f} s and {one['peak_mb']:.0f} MB: "
          f"{'met' if one['met'] else 'NOT met'} ({one['measured_s']:.2f} s, "
          f"{one['measured_mb']:.0f} MB)")
    print(f"\nJSON: {write_results('zone_repo', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
