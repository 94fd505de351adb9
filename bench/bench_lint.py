"""Offline throughput: spflint parse+lint and parse-only, side by side with pyspf and checkdmarc.

``python bench/bench_lint.py [--count N] [--repeats R]``. Prints a markdown table and writes
JSON to bench/results/. Rates are distinct records per second, medians of R runs.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import _common
from _common import fmt_rate, fmt_ratio, markdown_table, median_time, write_results
from corpus import DEFAULT_COUNT, DEFAULT_SEED, generate

from spflint.errors import SpfSyntaxError
from spflint.lint import lint_record
from spflint.parser import parse_record

DEFAULT_REPEATS = 5
# Terms that make a DNS query (during evaluation, or during checkdmarc's parse).
_DNS_TERM = re.compile(r"^[-+~?]?(include|a|mx|ptr|exists|redirect|exp)\b[:=/]?", re.I)


class DNSUsed(Exception):
    """A peer tried to query DNS during what must be an offline parse."""


def dns_free(records: list[str]) -> list[str]:
    """The records none of whose terms touch DNS (ip4, ip6 and all only)."""
    return [r for r in records if not any(_DNS_TERM.match(t) for t in r.split()[1:])]


# -- spflint ------------------------------------------------------------------------------


def spflint_lint(records: list[str]) -> int:
    return sum(1 for text in records if lint_record(text).parsed)


def spflint_parse(records: list[str]) -> int:
    ok = 0
    for text in records:
        try:
            parse_record(text)
        except SpfSyntaxError:
            continue
        ok += 1
    return ok


# -- pyspf --------------------------------------------------------------------------------


@contextlib.contextmanager
def pyspf_without_dns() -> Iterator[Any]:
    """pyspf with its DNS entry point replaced by one that raises DNSUsed."""
    import spf  # type: ignore[import-untyped]

    def refuse(*args: object, **kwargs: object) -> list[object]:
        raise DNSUsed(f"pyspf asked DNS for {args[:2]!r}")

    saved = spf.DNSLookup
    spf.DNSLookup = refuse
    try:
        yield spf
    finally:
        spf.DNSLookup = saved


def pyspf_syntax_pass(records: list[str]) -> int:
    """pyspf's term-validation loop (the syntax half of ``query.check0``), no DNS, no AST.

    pyspf has no parse-only API: ``check0`` validates each term while evaluating. This runs
    what it does before the first DNS query: split on spaces, tell modifiers from mechanisms
    with ``RE_MODIFIER``, ``query.validate_mechanism`` (qualifier, CIDRs, IP syntax, macro
    expansion of the domain-spec) for each mechanism, macro expansion of modifier values.
    """
    with pyspf_without_dns() as spf:
        query = spf.query(i="192.0.2.1", s="postmaster@example.com", h="mx.example.com")
        query.p = "unknown"  # %{p} would otherwise resolve the client's PTR
        ok = 0
        for text in records:
            query.perm_error = None
            terms = text.split(" ")
            if terms[0].lower() != "v=spf1":
                continue
            try:
                for term in terms[1:]:
                    if not term:
                        continue
                    parts = spf.RE_MODIFIER.split(term)[1:]
                    if len(parts) != 2:
                        query.validate_mechanism(term)
                    elif parts[0] in ("exp", "redirect"):
                        if not parts[1]:
                            raise spf.PermError("empty domain-spec", term)
                        query.expand_domain(parts[1])
                    else:
                        query.expand(parts[1])
            except spf.PermError:
                continue
            ok += 1
    return ok


# -- checkdmarc ---------------------------------------------------------------------------


@contextlib.contextmanager
def checkdmarc_without_dns() -> Iterator[Any]:
    """checkdmarc.spf with every DNS helper it calls replaced by one that raises DNSUsed."""
    import checkdmarc.spf as cspf  # type: ignore[import-untyped]

    def refuse(*args: object, **kwargs: object) -> list[object]:
        raise DNSUsed(f"checkdmarc asked DNS for {args[:2]!r}")

    names = [n for n in ("query_dns", "get_txt_records", "get_a_records", "get_mx_records",
                         "get_reverse_dns") if hasattr(cspf, n)]
    saved = {n: getattr(cspf, n) for n in names}
    for n in names:
        setattr(cspf, n, refuse)
    try:
        yield cspf
    finally:
        for n, fn in saved.items():
            setattr(cspf, n, fn)


def checkdmarc_parse(records: list[str]) -> int:
    """``checkdmarc.spf.parse_spf_record`` (it resolves every DNS term; here none exist)."""
    ok = 0
    with checkdmarc_without_dns() as cspf, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text in records:
            try:
                cspf.parse_spf_record(text, "example.com")
            except cspf.SPFError:
                continue
            ok += 1
    return ok


# -- harness ------------------------------------------------------------------------------


def _measure(name: str, func: Callable[[list[str]], int], records: list[str], repeats: int,
             before: Callable[[], object] | None = None) -> dict[str, Any]:
    accepted = func(records)  # warm-up: imports, registry, compiled expressions
    seconds, runs = median_time(lambda: func(records), repeats, before)
    return {"name": name, "records": len(records), "accepted": accepted,
            "median_s": seconds, "runs_s": runs, "rate": len(records) / seconds}


def _try(name: str, func: Callable[[list[str]], int], records: list[str],
         repeats: int) -> dict[str, Any]:
    try:
        return _measure(name, func, records, repeats)
    except ImportError as exc:
        return {"name": name, "skipped": f"not installed: {exc}"}
    except DNSUsed as exc:
        return {"name": name, "skipped": f"needs DNS even here: {exc}"}


def run(count: int = DEFAULT_COUNT, repeats: int = DEFAULT_REPEATS,
        seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Measure everything; returns the JSON payload with a ``table`` of markdown rows."""
    records = generate(count, seed)
    clear = parse_record.cache_clear
    whole = {
        "spflint_lint": _measure("spflint lint_record (parse cache cleared)", spflint_lint,
                                 records, repeats, clear),
        "spflint_parse": _measure("spflint parse_record (cache cleared)", spflint_parse,
                                  records, repeats, clear),
        "spflint_lint_cached": _measure("spflint lint_record (parse cached)", spflint_lint,
                                        records, repeats),
        "pyspf_syntax": _try("pyspf check0 term validation (no DNS)", pyspf_syntax_pass,
                             records, repeats),
    }
    subset = dns_free(records)
    small = {
        "spflint_lint": _measure("spflint lint_record (parse cache cleared)", spflint_lint,
                                 subset, repeats, clear),
        "spflint_parse": _measure("spflint parse_record (cache cleared)", spflint_parse,
                                  subset, repeats, clear),
        "pyspf_syntax": _try("pyspf check0 term validation (no DNS)", pyspf_syntax_pass,
                             subset, repeats),
        "checkdmarc_parse": _try("checkdmarc parse_spf_record", checkdmarc_parse,
                                 subset, repeats),
    }

    rows: list[list[object]] = []
    for corpus_name, group in ((f"all {len(records)}", whole),
                               (f"DNS-free {len(subset)}", small)):
        base = group["spflint_parse"]["rate"]
        for result in group.values():
            if "skipped" in result:
                rows.append([corpus_name, result["name"], "skipped", result["skipped"], ""])
                continue
            rows.append([corpus_name, result["name"], fmt_rate(result["rate"]),
                         f"{result['accepted']}/{result['records']}",
                         fmt_ratio(result["rate"] / base)])
    return {
        "title": "Offline parse and lint throughput (distinct records per second, median)",
        "headers": ["corpus", "what", "records/s", "accepted",
                    "throughput vs spflint parse_record"],
        "rows": rows,
        "parameters": {"count": count, "seed": seed, "repeats": repeats,
                       "dns_free_subset": len(subset)},
        "results": {"all": whole, "dns_free": small},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    payload = run(args.count, args.repeats, args.seed)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    print(f"\nJSON: {write_results('lint', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
