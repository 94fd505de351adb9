"""Run the executable ``Okay:``/``SPFnnn:`` lines of every rule's documentation.

For record rules the example is a record text. For DNS-scope rules it is a zone in one line:
entries ``NAME TYPE DATA`` separated by `` ; ``, in the spirit of a BIND master file. TXT and
SPF data are one or more double-quoted strings (several are the record's character-strings),
MX data is ``PREFERENCE HOST``, A/AAAA/CNAME data one value, and ``NAME TIMEOUT`` (or
``SERVFAIL``) makes the name fail. The first entry's name is the domain checked.
Requirement examples end with ``--ip ADDRESS`` or ``--require TERM``, as on the command line.
For zone rules it is a zone file in one line: its name, which chooses the reader as
``spflint zone`` does (``example.com.yaml`` is an octoDNS zone), a space, and its content,
with ``\\n`` standing for a line break (an octoDNS zone fits on one line in YAML's flow
style: ``example.com.yaml {'': {type: TXT, value: v=spf1 -all}}``).
"""

from __future__ import annotations

import asyncio
import re
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spflint.check import lint_tree, run_check
from spflint.config import Config
from spflint.dns.offline import OfflineResolver
from spflint.dns.zonedata import load_yaml
from spflint.lint import lint_record
from spflint.rules import RULE_MODULES, Rule, _load
from spflint.tree import walk
from spflint.zones.check import check_zones, read_zones, repo_resolver

_LINE = re.compile(r"(Okay|SPF\d{3}): (.*)")


@dataclass(frozen=True)
class Example:
    rule: str  # the documented rule's code
    expect: str  # "Okay" or the code that must be reported
    record: str  # a record text, or a one-line zone for DNS-scope rules
    lineno: int
    dns: bool = False
    zone: bool = False


def _examples(rule: Rule) -> list[Example]:
    out: list[Example] = []
    inside = False
    for lineno, line in enumerate(rule.doc.splitlines(), start=1):
        if line.startswith("## "):
            inside = line[3:].strip() == "Examples"
            continue
        m = _LINE.fullmatch(line) if inside else None
        if m:
            out.append(Example(rule.code, m.group(1), m.group(2), lineno,
                               rule.scope in ("dns", "requirement"), rule.scope == "zone"))
        elif inside and line.strip():
            raise AssertionError(f"{rule.code}: unexpected line in Examples: {line!r}")
    return out


def _loadable() -> tuple[list[Rule], list[str]]:
    rules, broken = [], []
    for name in RULE_MODULES:
        try:
            rules.append(_load(name))
        except Exception:  # reported by test_all_rule_modules_load, not as a collection error
            broken.append(name)
    return rules, broken


RULES, BROKEN = _loadable()
EXAMPLES = [ex for rule in RULES for ex in _examples(rule)]


def test_all_rule_modules_load() -> None:
    assert BROKEN == [], f"rule modules that do not import: {BROKEN}"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_examples(rule: Rule) -> None:
    examples = _examples(rule)
    assert any(ex.expect == "Okay" for ex in examples), f"{rule.code}: no 'Okay:' example"
    assert any(ex.expect == rule.code for ex in examples), (
        f"{rule.code}: no '{rule.code}:' example")


def parse_zone_line(line: str) -> tuple[str, dict[str, list[Any]]]:
    """The domain to check and the openspf ``zonedata`` mapping of a one-line zone."""
    tokens = shlex.split(line)
    entries: list[list[str]] = [[]]
    for token in tokens:
        if token == ";":
            entries.append([])
        else:
            entries[-1].append(token)
    zone: dict[str, list[Any]] = {}
    for entry in entries:
        assert len(entry) >= 2, f"an entry is NAME TYPE DATA, not {entry!r}"
        name, rdtype, data = entry[0], entry[1].upper(), entry[2:]
        records = zone.setdefault(name, [])
        if rdtype in ("TIMEOUT", "SERVFAIL") and not data:
            records.append(rdtype)
        elif rdtype in ("TXT", "SPF") and data:
            records.append({rdtype: data[0] if len(data) == 1 else data})
        elif rdtype == "MX" and len(data) == 2:
            records.append({"MX": [int(data[0]), data[1]]})
        elif rdtype in ("A", "AAAA", "CNAME") and len(data) == 1:
            records.append({rdtype: data[0]})
        else:
            raise AssertionError(f"cannot read zone entry {entry!r}")
    return entries[0][0], zone


def _dns_codes(line: str) -> list[str]:
    # Requirement examples end with "--ip ADDRESS" or "--require TERM" options, as on the
    # command line; they run the whole check.
    line, *options = line.split(" --")
    domain, zone = parse_zone_line(line)
    resolver = OfflineResolver(load_yaml(_yaml(zone)), authoritative_all=True)
    if options:
        ips = [o.split(" ", 1)[1] for o in options if o.startswith("ip ")]
        terms = [o.split(" ", 1)[1] for o in options if o.startswith("require ")]
        assert len(ips) + len(terms) == len(options), f"unknown option in {options!r}"
        result = asyncio.run(run_check(domain, resolver, config=Config(), ips=ips,
                                       require=terms))
        return [f.code for f in result.findings]
    tree = asyncio.run(walk(domain, resolver))
    return [f.code for f in lint_tree(tree, Config())]


def _yaml(zone: dict[str, list[Any]]) -> str:
    import yaml

    return yaml.safe_dump({"zonedata": zone})


def test_zone_line_syntax() -> None:
    domain, zone = parse_zone_line(
        'Example.com TXT "v=spf1 " "mx -all" ; example.com MX 10 mx.example.com ; '
        "mx.example.com A 192.0.2.1 ; t.example.com TIMEOUT")
    assert domain == "Example.com"
    assert zone == {"Example.com": [{"TXT": ["v=spf1 ", "mx -all"]}],
                    "example.com": [{"MX": [10, "mx.example.com"]}],
                    "mx.example.com": [{"A": "192.0.2.1"}], "t.example.com": ["TIMEOUT"]}
    with pytest.raises(AssertionError):
        parse_zone_line("example.com MX 10")


def zone_file_line(line: str) -> tuple[str, str]:
    """The file name and the content of a one-line zone file example."""
    name, _, text = line.partition(" ")
    assert name and "/" not in name, f"a zone example starts with a file name: {line!r}"
    return name, text.replace("\\n", "\n") + "\n"


def _zone_codes(line: str) -> list[str]:
    name, text = zone_file_line(line)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        zones, errors = read_zones([path])
        assert errors == [], [str(e) for e in errors]
        check = check_zones(zones, errors, Config(), repo_resolver(zones, offline=True))
    return [f.code for f in check.findings]


def test_zone_file_line_syntax() -> None:
    assert zone_file_line("example.com.yaml {'': {type: A, value: 192.0.2.1}}") == (
        "example.com.yaml", "{'': {type: A, value: 192.0.2.1}}\n")
    assert zone_file_line("db.example.com $ORIGIN example.com.\\n@ TXT x") == (
        "db.example.com", "$ORIGIN example.com.\n@ TXT x\n")
    with pytest.raises(AssertionError):
        zone_file_line("zones/example.com.yaml {}")


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{ex.rule}::{ex.lineno}" for ex in EXAMPLES]
)
def test_doc_example(example: Example) -> None:
    if example.zone:
        codes = _zone_codes(example.record)
    elif example.dns:
        codes = _dns_codes(example.record)
    else:
        codes = [f.code for f in lint_record(example.record).findings]
    if example.expect == "Okay":
        assert example.rule not in codes, f"{example.record!r} reports {codes}"
    else:
        assert example.expect in codes, f"{example.record!r} reports {codes}"
