"""``fix`` leaves room for the includes that chaining adds when it has to flatten."""

from __future__ import annotations

import asyncio

from spflint.dns.offline import OfflineResolver
from spflint.evaluate import evaluate
from spflint.fix import FixOptions, fix_policy
from tests.conftest import zonedata_from_dict


def _zone() -> dict[str, list[object]]:
    # Twelve providers of eight /24 ranges each: 13 lookups, and flattening any of them
    # adds about 150 octets, so the flattened record no longer fits in one 450-octet TXT.
    zone: dict[str, list[object]] = {}
    includes = []
    for p in range(12):
        ranges = " ".join(f"ip4:{20 + p}.{2 * i}.0.0/24" for i in range(8))
        zone[f"p{p}.example.net"] = [{"TXT": f"v=spf1 {ranges} -all"}]
        includes.append(f"include:p{p}.example.net")
    zone["example.com"] = [{"TXT": "v=spf1 mx " + " ".join(includes) + " -all"},
                           {"MX": [10, "mail.example.com"]}]
    zone["mail.example.com"] = [{"A": "192.0.2.25"}]
    return zone


def test_flattening_leaves_room_for_chain_includes() -> None:
    resolver = OfflineResolver(zonedata_from_dict(_zone()), authoritative_all=True)
    result = asyncio.run(fix_policy(FixOptions(domain="example.com"), resolver))
    assert result.lookups <= 10
    assert len(result.records) > 1  # chained through _spfN records
    assert all(len(r.value.encode()) <= 450 for r in result.records)
    kinds = {c.kind for c in result.changes}
    assert {"flatten-include", "chain-include"} <= kinds
    # The published records, served as DNS, evaluate like the original for sampled IPs.
    published = _zone()
    for record in result.records:
        published[record.name] = [{"TXT": list(record.strings)}]
    published["example.com"].append({"MX": [10, "mail.example.com"]})
    before = OfflineResolver(zonedata_from_dict(_zone()), authoritative_all=True)
    after = OfflineResolver(zonedata_from_dict(published), authoritative_all=True)
    # Addresses the original decides before its 11th lookup keep their result; the rest were
    # a permerror, which the fixed policy turns into what its terms say.
    for ip in ("192.0.2.25", "20.0.0.1", "24.6.0.77", "28.14.0.9"):
        old = evaluate(ip, "example.com", "a@example.com", resolver=before).result
        new = evaluate(ip, "example.com", "a@example.com", resolver=after).result
        assert old == new, ip
    assert evaluate("31.14.0.9", "example.com", "a@example.com", resolver=before).result == (
        "permerror")
    assert evaluate("31.14.0.9", "example.com", "a@example.com", resolver=after).result == (
        "pass")
    assert evaluate("198.51.100.7", "example.com", "a@example.com",
                    resolver=after).result == "fail"
