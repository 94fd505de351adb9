"""``fix`` of a policy over the lookup limit: time to a proven record, and its size.

``python bench/bench_fix.py [--repeats R]``. The zone is ``bench/zones.py`` with three more
providers included from the apex (Mailgun, Salesforce, Mandrill, with stand-in records shaped
like theirs): 13 lookups, so the fixer must flatten. Its DNS answers come from the offline
resolver over the same zone data, so the time measured starts when every answer is available
and ends with the proven output (``fix_policy``: repair, minimise, flatten, split, verify on
the IP-space map), median of R runs. Next to spflint's output: a "flatten everything"
baseline computed here, every include replaced by all the ip4/ip6 ranges it resolves to,
recursively, duplicates dropped, as DNSControl's SPF builder does with ``flatten: "*"``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import _common
import zones
from _common import fmt_ms, markdown_table, write_results

from spflint.dns.base import NameData, ZoneData
from spflint.dns.offline import OfflineResolver

DEFAULT_REPEATS = 7
LIMITS = (255, 450)
EXTRA_PROVIDERS: dict[str, str] = {
    "mailgun.org": "v=spf1 include:_spf.mailgun.org ~all",
    "_spf.mailgun.org": (
        "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/21 "
        "ip4:192.237.158.0/23 ip4:23.253.182.0/23 ip4:104.130.96.0/28 ip4:146.20.113.0/24 "
        "ip4:146.20.191.0/24 ip4:159.135.224.0/20 ip4:69.72.32.0/20 ~all"
    ),
    "_spf.salesforce.com": (
        "v=spf1 ip4:13.108.16.0/20 ip4:96.43.144.0/20 ip4:136.146.208.0/20 "
        "ip4:182.50.76.0/22 ip4:202.129.242.0/23 ip4:204.14.232.0/21 ip4:85.222.130.0/24 "
        "ip4:101.53.160.0/19 -all"
    ),
    # Mandrill sends from Mailchimp's ranges: the overlap with servers.mcsv.net is real.
    "spf.mandrillapp.com": (
        "v=spf1 ip4:198.2.128.0/18 ip4:148.105.8.0/21 ip4:205.201.128.0/20 "
        "ip4:198.2.176.0/20 ~all"
    ),
}
EXTRA_INCLUDES = "include:mailgun.org include:_spf.salesforce.com include:spf.mandrillapp.com"


def zonedata() -> ZoneData:
    """``bench/zones.py`` plus the three providers, included before the apex's ``-all``."""
    base = zones.zonedata()
    names = {name: NameData(list(data.records)) for name, data in base.names.items()}
    apex = names[zones.DOMAIN]
    text = b"".join(zones.APEX_SPF).decode()
    head, _, _ = text.rpartition(" -all")
    record = f"{head} {EXTRA_INCLUDES} -all".encode()
    strings = (record[:255], record[255:]) if len(record) > 255 else (record,)
    apex.records = [(t, v) for t, v in apex.records
                    if not (t == "TXT" and v == zones.APEX_SPF)] + [("TXT", strings)]
    for name, value in EXTRA_PROVIDERS.items():
        names.setdefault(name, NameData()).records.append(("TXT", (value.encode(),)))
    return ZoneData(names=names, source="bench/bench_fix.py")


def _spf_text(data: ZoneData, name: str) -> str:
    entry = data.names[name]
    for rdtype, value in entry.records:
        if rdtype == "TXT":
            assert isinstance(value, tuple)
            text = b"".join(bytes(s) for s in value if isinstance(s, bytes)).decode()
            if text.startswith("v=spf1"):
                return text
    raise KeyError(name)


def flatten_everything(data: ZoneData, domain: str) -> dict[str, Any]:
    """Every include replaced by its ip4/ip6 ranges, recursively, exact duplicates dropped."""
    kept: list[str] = []
    ranges: list[str] = []

    def collect(name: str) -> None:
        for term in _spf_text(data, name).split()[1:]:
            bare = term.lstrip("+")
            if bare.startswith("include:"):
                collect(bare[len("include:"):])
            elif bare.startswith(("ip4:", "ip6:")) and bare not in ranges:
                ranges.append(bare)

    top = _spf_text(data, domain).split()
    for term in top[1:]:
        if term.startswith("include:"):
            collect(term[len("include:"):])
        elif term.startswith(("ip4:", "ip6:")):
            if term not in ranges:
                ranges.append(term)
        elif not term.endswith("all"):
            kept.append(term)  # mx and other own terms stay as they are
    final = top[-1]
    single = " ".join(["v=spf1", *kept, *ranges, final])
    out: dict[str, Any] = {"ranges": len(ranges), "octets": len(single),
                           "own_lookups": sum(1 for t in kept if not t.startswith("ip"))}
    for limit in LIMITS:
        records = _chain(domain, kept, ranges, final, limit)
        out[str(limit)] = {"records": len(records),
                           "octets": sum(len(r) for r in records),
                           "lookups": out["own_lookups"] + len(records) - 1}
    return out


def _chain(domain: str, kept: list[str], ranges: list[str], final: str,
           limit: int) -> list[str]:
    """Greedy split into a chain: each record includes the next (``_spfN.domain``)."""
    records: list[str] = []
    terms = [*kept, *ranges]
    current = ["v=spf1"]
    for term in terms:
        link = f"include:_spf{len(records) + 1}.{domain}"
        if len(" ".join([*current, term, link, final])) > limit and len(current) > 1:
            records.append(" ".join([*current, link, final]))
            current = ["v=spf1"]
        current.append(term)
    records.append(" ".join([*current, final]))
    return records


VARIANTS: dict[str, dict[str, Any]] = {
    "default (--max-size 450)": {},
    "--max-size 512": {"max_size": 512},
}


def fix_once(data: ZoneData, **options: Any) -> Any:
    """The fix result, or the FixError that says why no record could be proven."""
    from spflint.fix import FixError, FixOptions, fix_policy

    try:
        return asyncio.run(fix_policy(FixOptions(domain=zones.DOMAIN, today="2026-01-01",
                                                 **options), OfflineResolver(data)))
    except FixError as exc:
        return exc


def _variant(data: ZoneData, options: dict[str, Any], repeats: int) -> dict[str, Any]:
    outcome = fix_once(data, **options)  # warm-up: imports, parse caches
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        outcome = fix_once(data, **options)
        times.append(time.perf_counter() - start)
    out: dict[str, Any] = {"options": options, "median_s": statistics.median(times),
                           "runs_s": times, "changes": [c.to_dict() for c in outcome.changes]}
    if isinstance(outcome, Exception):
        out["error"] = str(outcome)
        return out
    out.update(records=[r.to_dict() for r in outcome.records], lookups=outcome.lookups,
               voids=outcome.voids, octets=sum(len(r.value) for r in outcome.records),
               strings=sum(len(r.strings) for r in outcome.records))
    return out


def run(repeats: int = DEFAULT_REPEATS) -> dict[str, Any]:
    data = zonedata()
    variants = {name: _variant(data, opts, repeats) for name, opts in VARIANTS.items()}
    baseline = flatten_everything(data, zones.DOMAIN)
    original = _spf_text(data, zones.DOMAIN)
    rows: list[list[object]] = [["original record", 1, len(original), 13, "-", "-"]]
    for name, v in variants.items():
        kinds = sorted({c["kind"] for c in v["changes"]})
        if "error" in v:
            rows.append([f"spflint fix, {name}", "-", "-", "-", fmt_ms(v["median_s"]),
                         f"no proven record: {v['error']} (changes tried: "
                         f"{', '.join(kinds)})"])
        else:
            rows.append([f"spflint fix, {name}", len(v["records"]), v["octets"], v["lookups"],
                         fmt_ms(v["median_s"]),
                         f"{v['strings']} strings; changes: {', '.join(kinds)}"])
    for limit in LIMITS:
        b = baseline[str(limit)]
        rows.append([f"flatten everything, {limit}-octet records", b["records"], b["octets"],
                     b["lookups"], "-", f"{baseline['ranges']} ranges, no CIDR merging"])
    return {
        "title": "fix of example.com plus Mailgun, Salesforce, Mandrill (13 lookups): "
                 "time to a proven record (answers in memory), output size",
        "headers": ["output", "records", "octets", "lookups", "time (median)", "notes"],
        "rows": rows,
        "parameters": {"repeats": repeats, "domain": zones.DOMAIN,
                       "extra_providers": sorted(EXTRA_PROVIDERS)},
        "results": {"variants": variants, "original": original,
                    "original_octets": len(original), "flatten_everything": baseline},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    args = parser.parse_args(argv)
    payload = run(args.repeats)
    print(f"### {payload['title']}\n")
    print(markdown_table(payload["headers"], payload["rows"]))
    for name, variant in payload["results"]["variants"].items():
        for record in variant.get("records", []):
            print(f"\n- {name}: `{record['name']}`: `{record['value']}`")
    print(f"\nJSON: {write_results('fix', payload).relative_to(_common.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
