"""Run every case of every ``fixtures/rules/<CODE>.yml`` file through the real linter."""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from spflint.check import lint_tree, run_check
from spflint.config import Config, validate_rule_options
from spflint.dns.base import Resolver
from spflint.dns.layered import LayeredResolver
from spflint.dns.offline import OfflineResolver
from spflint.dns.zonedata import load_yaml
from spflint.errors import SpfSyntaxError
from spflint.findings import Finding
from spflint.lint import lint_record
from spflint.parser import parse_record
from spflint.rules import Rule, registry
from spflint.tree import walk
from spflint.zones import read_zone
from spflint.zones.check import check_zones, repo_resolver

CASES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
CASE_FILES = sorted(CASES_DIR.glob("SPF*.yml"))

_FILE_KEYS = {"rule", "cases"}
_CASE_KEYS = {"name", "pass_str", "fail_str", "expect", "fix_str", "config", "strings"}
_EXPECT_KEYS = {"code", "column"}
# DNS-scope rules: the case gives zone data (openspf shape) and the domain to check; a pass
# case has ``expect: []``. Expectations may also pin the finding's domain, term and severity.
# ``offline: true`` makes the zone data speak only for the names it lists, as ``--offline``
# with data does: other names are unknown (not NXDOMAIN), instead of the openspf convention
# that the data describes the whole DNS.
_DNS_CASE_KEYS = {"name", "domain", "zonedata", "expect", "config", "ip", "require",
                  "profile", "offline"}
_DNS_EXPECT_KEYS = {"code", "column", "domain", "term", "severity"}
# Zone-scope rules: the case gives a zone, ``zone: {path: example.com.yaml, text: ...}``, with
# ``files`` for other files it reads (an ``!include``d file, or the files of a split zone
# whose ``path`` is the directory), read and checked as ``spflint zone`` does; a pass case
# has ``expect: []``. Expectations may pin the line, the column (of that line of the file),
# the term and the severity.
_ZONE_CASE_KEYS = {"name", "zone", "expect", "config"}
_ZONE_KEYS = {"path", "text", "files"}
_ZONE_EXPECT_KEYS = {"code", "line", "column", "term", "severity"}
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Case:
    code: str
    data: dict[str, Any]
    path: Path

    @property
    def name(self) -> str:
        return str(self.data.get("name"))

    @property
    def is_dns(self) -> bool:
        return "zonedata" in self.data or "domain" in self.data

    @property
    def is_zone(self) -> bool:
        return "zone" in self.data

    @property
    def is_pass(self) -> bool:
        if self.is_dns or self.is_zone:
            return self.data.get("expect") == []
        return "pass_str" in self.data


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


def _collect() -> list[Case]:
    cases: list[Case] = []
    for path in CASE_FILES:
        data = _load(path)
        for item in data.get("cases") or []:
            cases.append(Case(path.stem, item if isinstance(item, dict) else {"bad": item}, path))
    return cases


ALL_CASES = _collect()


def _validate_dns_case(case: Case) -> None:
    data = case.data
    where = f"{case.path.name}::{case.name}"
    unknown = set(data) - _DNS_CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert isinstance(data.get("name"), str) and _SNAKE.fullmatch(data["name"]), (
        f"{where}: 'name' must be snake_case")
    assert isinstance(data.get("domain"), str), f"{where}: 'domain' names the domain to check"
    assert isinstance(data.get("zonedata"), dict), f"{where}: 'zonedata' maps names to records"
    expect = data.get("expect")
    assert isinstance(expect, list), f"{where}: 'expect' is a list ([] for a pass case)"
    _validate_expectations(expect, _DNS_EXPECT_KEYS, case, where)
    for key in ("ip", "require"):
        if key in data:
            assert isinstance(data[key], list) and all(isinstance(v, str) for v in data[key]), (
                f"{where}: '{key}' must be a list of strings")
    if "profile" in data:
        assert isinstance(data["profile"], str), f"{where}: 'profile' must be a string"
    if "offline" in data:
        assert isinstance(data["offline"], bool), f"{where}: 'offline' must be true or false"
    if "config" in data:
        assert isinstance(data["config"], dict), f"{where}: 'config' must be a mapping"


def _validate_zone_case(case: Case) -> None:
    data = case.data
    where = f"{case.path.name}::{case.name}"
    unknown = set(data) - _ZONE_CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert isinstance(data.get("name"), str) and _SNAKE.fullmatch(data["name"]), (
        f"{where}: 'name' must be snake_case")
    zone = data["zone"]
    assert isinstance(zone, dict) and not set(zone) - _ZONE_KEYS, (
        f"{where}: 'zone' has 'path' and 'text' or 'files'")
    assert isinstance(zone.get("path"), str), f"{where}: 'zone.path' names the zone file"
    assert isinstance(zone.get("text"), str) or "files" in zone, f"{where}: 'zone.text'"
    files = zone.get("files", {})
    assert isinstance(files, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()), (
        f"{where}: 'zone.files' maps relative paths to their text")
    expect = data.get("expect")
    assert isinstance(expect, list), f"{where}: 'expect' is a list ([] for a pass case)"
    _validate_expectations(expect, _ZONE_EXPECT_KEYS, case, where)
    for item in expect:
        line = item.get("line")
        assert line is None or (isinstance(line, int) and line >= 1), (
            f"{where}: 'line' is a 1-based integer")
    if "config" in data:
        assert isinstance(data["config"], dict), f"{where}: 'config' must be a mapping"


def _validate_expectations(expect: list[Any], keys: set[str], case: Case, where: str) -> None:
    for item in expect:
        assert isinstance(item, dict), f"{where}: each expectation is a mapping"
        extra = set(item) - keys
        assert not extra, f"{where}: unknown expectation keys {sorted(extra)}"
        assert item.get("code") == case.code, (
            f"{where}: expectations name only this file's rule, {case.code}")
        column = item.get("column")
        assert column is None or (isinstance(column, int) and column >= 1), (
            f"{where}: 'column' is a 1-based integer")


def _validate_case(case: Case) -> None:
    if case.is_dns:
        _validate_dns_case(case)
        return
    if case.is_zone:
        _validate_zone_case(case)
        return
    data = case.data
    where = f"{case.path.name}::{case.name}"
    unknown = set(data) - _CASE_KEYS
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    assert isinstance(data.get("name"), str) and _SNAKE.fullmatch(data["name"]), (
        f"{where}: 'name' must be snake_case")
    has_pass, has_fail = "pass_str" in data, "fail_str" in data
    assert has_pass != has_fail, f"{where}: exactly one of pass_str and fail_str"
    text = data["pass_str"] if has_pass else data["fail_str"]
    assert isinstance(text, str), f"{where}: the record must be a string"
    if has_pass:
        assert "expect" not in data and "fix_str" not in data, (
            f"{where}: a pass case has no 'expect' or 'fix_str'")
    else:
        expect = data.get("expect")
        assert isinstance(expect, list) and expect, f"{where}: a fail case needs 'expect'"
        _validate_expectations(expect, _EXPECT_KEYS, case, where)
        if "fix_str" in data:
            assert isinstance(data["fix_str"], str), f"{where}: 'fix_str' must be a string"
    if "config" in data:
        assert isinstance(data["config"], dict), f"{where}: 'config' must be a mapping"
    if "strings" in data:
        strings = data["strings"]
        assert isinstance(strings, list) and all(isinstance(s, str) for s in strings), (
            f"{where}: 'strings' must be a list of strings")


def _run_dns(case: Case, rule: Rule) -> list[Finding]:
    data = case.data
    options = validate_rule_options(rule, data.get("config", {}), str(case.path.name))
    config = Config(options={rule.code: options})
    zone = load_yaml(yaml.safe_dump({"zonedata": data["zonedata"]}))
    resolver: Resolver = OfflineResolver(zone, authoritative_all=True)
    if data.get("offline"):
        resolver = LayeredResolver([OfflineResolver(zone), None])
    if rule.scope == "requirement":
        # Requirement cases state what must hold, as `check --ip/--require/--profile` does.
        result = asyncio.run(run_check(data["domain"], resolver, config=config,
                                       ips=data.get("ip", []), require=data.get("require", []),
                                       profile=data.get("profile")))
        return [f for f in result.findings if f.code == rule.code]
    tree = asyncio.run(walk(data["domain"], resolver))
    return [f for f in lint_tree(tree, config) if f.code == rule.code]


def _run_zone(case: Case, rule: Rule) -> list[Finding]:
    data = case.data
    options = validate_rule_options(rule, data.get("config", {}), str(case.path.name))
    config = Config(options={rule.code: options})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in data["zone"].get("files", {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        path = root / data["zone"]["path"]
        if "text" in data["zone"]:
            path.write_text(data["zone"]["text"], encoding="utf-8")
        zone = read_zone(path)
        check = check_zones([zone], [], config, repo_resolver([zone], offline=True))
    return [f for f in check.findings if f.code == rule.code]


def _run(case: Case, rule: Rule) -> tuple[str, list[Finding]]:
    data = case.data
    if case.is_zone:
        return "", _run_zone(case, rule)
    if case.is_dns:
        return "", _run_dns(case, rule)
    text = data.get("fail_str", data.get("pass_str"))
    assert isinstance(text, str)
    options = validate_rule_options(rule, data.get("config", {}), str(case.path.name))
    config = Config(options={rule.code: options})
    strings = None
    if "strings" in data:
        strings = [s.encode("utf-8") for s in data["strings"]]
    result = lint_record(text, config, strings=strings)
    return text, [f for f in result.findings if f.code == rule.code]


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_file_shape(path: Path) -> None:
    data = _load(path)
    unknown = set(data) - _FILE_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert data.get("rule") == path.stem, f"{path.name}: 'rule' must be {path.stem}"
    registry().get(path.stem)
    cases = data.get("cases")
    assert isinstance(cases, list) and len(cases) >= 3, f"{path.name}: at least 3 cases"
    names = [c.get("name") for c in cases if isinstance(c, dict)]
    assert len(names) == len(cases), f"{path.name}: every case is a mapping"
    assert len(set(names)) == len(names), f"{path.name}: case names must be unique"
    loaded = [Case(path.stem, c, path) for c in cases]
    assert any(c.is_pass for c in loaded), f"{path.name}: needs a pass case"
    assert any(not c.is_pass for c in loaded), f"{path.name}: needs a fail case"


@pytest.mark.parametrize("case", ALL_CASES, ids=[f"{c.code}::{c.name}" for c in ALL_CASES])
def test_rule_case(case: Case) -> None:
    _validate_case(case)
    rule = registry().get(case.code)
    text, found = _run(case, rule)
    data = case.data
    if case.is_pass:
        assert found == [], f"unexpected findings: {[f.to_dict() for f in found]}"
        return
    expected = data["expect"]
    if case.is_dns or case.is_zone:
        # Compare only the keys each expectation gives, in order.
        dns_got = [{key: (str(f.severity) if key == "severity" else getattr(f, key))
                    for key in e} for e, f in zip(expected, found, strict=False)]
        assert len(found) == len(expected) and dns_got == expected, (
            f"expected {expected}, got {[f.to_dict() for f in found]}")
        return
    got = [{"code": f.code, "column": f.column} for f in found]
    # An expectation without a column matches a finding of that code at any column.
    wanted = [dict(e) if "column" in e else {**e, "column": g["column"]}
              for e, g in zip(expected, got, strict=False)]
    assert len(got) == len(expected) and got == wanted, (
        f"expected {expected}, got {[f.to_dict() for f in found]}")
    if "fix_str" in data:
        fix = found[0].fix
        assert fix is not None, f"the first {rule.code} finding offers no fix"
        fixed = fix.apply(text)
        assert fixed == data["fix_str"]
        if fix.safe:
            try:
                parse_record(fixed)
            except SpfSyntaxError as exc:  # pragma: no cover - reported as a failure
                pytest.fail(f"a safe fix produced an unparsable record {fixed!r}: {exc}")


def _declares_fix(rule: Rule) -> bool:
    text = rule.doc.split("## Fix safety", 1)[-1].split("##", 1)[0].strip()
    return bool(text) and not text.startswith("No automatic fix")


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_fixing_rule_has_fix_case(path: Path) -> None:
    rule = registry().get(path.stem)
    cases = [c for c in ALL_CASES if c.path == path]
    offers_fix = _declares_fix(rule)
    for case in cases:
        if not case.is_pass:
            _, found = _run(case, rule)
            offers_fix = offers_fix or any(f.fix is not None for f in found)
    if offers_fix:
        assert any("fix_str" in c.data for c in cases), (
            f"{rule.code} produces fixes but no case in {path.name} has 'fix_str'")


@pytest.mark.parametrize(("records", "outcome", "problem"), [
    ((), "nxdomain", "does not exist"),
    ((), "nodata", "has no TXT record"),
    (((b"one",), (b"two",)), "ok", "has 2 TXT records"),
    (((b"bad %x macro",),), "ok", "not a valid explain-string"),
    (((b"%{i} is not allowed",),), "ok", None),
])
def test_explanation_rule_reads_a_fetched_exp_answer(
        records: tuple[tuple[bytes, ...], ...], outcome: str, problem: str | None) -> None:
    # SPF224 uses the TXT answer at the exp= target when the walk stores one on the node.
    from spflint.dns.base import Answer, Outcome

    zone = load_yaml(yaml.safe_dump({"zonedata": {
        "example.com": [{"TXT": "v=spf1 -all exp=why.example.com"}],
        "why.example.com": [{"TXT": "%{i} is not allowed"}]}}))
    tree = asyncio.run(walk("example.com", OfflineResolver(zone, authoritative_all=True)))
    tree.root.exp_answer = Answer(  # type: ignore[attr-defined]
        "why.example.com", "TXT", Outcome(outcome), records)
    found = [f for f in lint_tree(tree, Config()) if f.code == "SPF224"]
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0].message, [f.message for f in found]
        assert found[0].column == 13 and found[0].term == "exp=why.example.com"
