"""Helpers shared by the benchmark scripts: import path, timing, environment, results."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
# Timed child processes read and write bytecode here, so every tool starts from cached .pyc
# files as an installed package does, even where PYTHONDONTWRITEBYTECODE is set.
PYCACHE_DIR = RESULTS_DIR / "pycache"

# The scripts run as ``python bench/<script>.py``, which puts bench/ (not the repository) first
# on sys.path; spflint and the test DNS server import from the working tree.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def median_time(func: Callable[[], object], repeats: int,
                before: Callable[[], object] | None = None) -> tuple[float, list[float]]:
    """Median wall time of ``func`` over ``repeats`` runs; ``before`` runs untimed each time."""
    times: list[float] = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def process_env(**extra: str) -> dict[str, str]:
    """Environment for timed child processes: bytecode cached under PYCACHE_DIR, no colour."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def environment() -> dict[str, Any]:
    """What the numbers depend on: date, interpreter, machine."""
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (plus the environment) to bench/results/<name>-<timestamp>.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    data = {"benchmark": name, "environment": environment(), **payload}
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table."""
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def fmt_ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


class _Server(Protocol):
    host: str
    port: int


@contextlib.contextmanager
def pyspf_on(server: _Server) -> Iterator[Any]:
    """pyspf with dnspython's default resolver aimed at ``server`` (restored afterwards)."""
    import dns.resolver
    import spf  # type: ignore[import-untyped]

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    saved = dns.resolver.default_resolver
    dns.resolver.default_resolver = resolver
    try:
        with warnings.catch_warnings():
            # pyspf calls the deprecated dns.resolver.query().
            warnings.simplefilter("ignore", DeprecationWarning)
            yield spf
    finally:
        dns.resolver.default_resolver = saved
