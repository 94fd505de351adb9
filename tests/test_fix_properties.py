"""Properties of ``fix`` over random policies, checked with the real evaluator (check_host)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from spflint.dns.offline import OfflineResolver
from spflint.findings import Severity
from spflint.fix import FixError, FixOptions, FixResult, fix_policy
from spflint.ipspace import compile_policy
from spflint.lint import lint_record
from tests.test_ipspace import ROOT, evaluated, policy_zone, resolver_for, sample_ips


def run_fix(zone: dict[str, Any], **options: Any) -> FixResult:
    return asyncio.run(fix_policy(FixOptions(domain=ROOT, today="2025-01-01", **options),
                                  resolver_for(zone)))


def published(zone: dict[str, Any], result: FixResult) -> dict[str, Any]:
    """The zone with the fixed record(s) in place of the original."""
    out = dict(zone)
    out[ROOT] = [e for e in zone[ROOT] if "TXT" not in e]
    for record in result.records:
        assert record.name is not None
        entries = [e for e in out.get(record.name, []) if "TXT" not in e]
        out[record.name] = [*entries, {"TXT": list(record.strings)}]
    return out


def assert_same_results(before: OfflineResolver, after: OfflineResolver, ips: list[str]) -> None:
    for ip in ips:
        want = evaluated(ip, before)
        if want is None or want == "permerror":
            continue  # a limit or a broken include: the fixed record keeps the author's intent
        assert evaluated(ip, after) == want, ip


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=st.one_of(policy_zone(), policy_zone(dynamic=True)), seed=st.integers(0, 2**16))
def test_fix_keeps_every_result_lints_clean_and_is_idempotent(zone: dict[str, Any],
                                                              seed: int) -> None:
    try:
        result = run_fix(zone)
    except FixError as exc:
        event(f"refused: {exc.message.split(':')[0]}")
        return
    event("fixed")
    for record in result.records:
        findings = lint_record(record.value, strings=[s.encode() for s in record.strings])
        assert not [f for f in findings.findings if f.severity >= Severity.ERROR], record.value
        assert all(len(s) <= 255 for s in record.strings)
        assert len(record.value) <= 450
    assert result.lookups <= 10
    fixed_zone = published(zone, result)
    original = resolver_for(zone)
    space = asyncio.run(compile_policy(ROOT, original))
    assert_same_results(original, resolver_for(fixed_zone),
                        sample_ips(space, random.Random(seed), 6))
    again = run_fix(fixed_zone)
    assert [r.value for r in again.records] == [r.value for r in result.records]
    assert again.changes == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=policy_zone(), seed=st.integers(0, 2**16))
def test_forced_flattening_evaluates_like_the_original(zone: dict[str, Any], seed: int) -> None:
    text = zone[ROOT][0]["TXT"]
    names = [t.split(":", 1)[1] for t in text.split() if t.lstrip("+-~?").startswith("include:")]
    if not names:
        return
    try:
        result = run_fix(zone, flatten=(names[0],))
    except FixError as exc:
        event(f"refused: {exc.message.split(':')[0]}")
        return
    event("flattened")
    assert names[0] not in " ".join(r.value for r in result.records).split("include:")[1:]
    original = resolver_for(zone)
    space = asyncio.run(compile_policy(ROOT, original))
    assert_same_results(original, resolver_for(published(zone, result)),
                        sample_ips(space, random.Random(seed), 6))


@given(st.lists(st.text(alphabet="abcdefghij:./0123456789", min_size=1, max_size=300),
                min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_strings_join_back_and_fit(words: list[str]) -> None:
    from spflint.txt import split_text as strings_of

    value = " ".join(words)
    strings = strings_of(value)
    assert "".join(strings) == value
    assert all(len(s.encode()) <= 255 for s in strings)
