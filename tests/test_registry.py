"""The rule registry agrees with the rule modules, their case files and their doc pages."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from spflint.errors import UnknownRuleError
from spflint.findings import Severity
from spflint.rules import RULE_MODULES, Rule, _load, get, registry
from spflint.rules.docs import section
from tests.conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
HEADINGS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety",
            "References", "Examples"]
SCOPES = {"syntax", "record", "text", "dns", "requirement", "zone"}
CODE_RE = re.compile(r"SPF\d{3}")
NAME_RE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def _gen_docs() -> ModuleType:
    return load_script("gen_rule_docs")


GEN = _gen_docs()


@pytest.fixture(params=RULE_MODULES)
def rule(request: pytest.FixtureRequest) -> Rule:
    name: str = request.param
    return _load(name)


@pytest.mark.parametrize("module_name", RULE_MODULES)
def test_module_imports(module_name: str) -> None:
    module = importlib.import_module(f"spflint.rules.{module_name}")
    for attr in ("CODE", "NAME", "SUMMARY", "SEVERITY"):
        assert hasattr(module, attr), f"{module_name} has no {attr}"


def test_codes_and_names_unique() -> None:
    rules = [_load(name) for name in RULE_MODULES]
    codes = [r.code for r in rules]
    assert len(set(codes)) == len(codes), "duplicate rule codes"
    keys = [k.lower() for r in rules for k in (r.name, *r.aliases)]
    assert len(set(keys)) == len(keys), "duplicate rule names or aliases"
    assert codes == sorted(codes), "RULE_MODULES should list rules in code order"
    assert len(registry()) == len(RULE_MODULES)


def test_code_and_name_form(rule: Rule) -> None:
    assert CODE_RE.fullmatch(rule.code), rule.code
    assert NAME_RE.fullmatch(rule.name), rule.name
    assert rule.module is not None
    # The module name is the rule name in snake case.
    assert rule.module.__name__.rsplit(".", 1)[-1] == rule.name.replace("-", "_")
    assert isinstance(rule.severity, Severity)
    assert rule.status in {"stable", "preview", "deprecated"}


def test_docstring_template(rule: Rule) -> None:
    lines = rule.doc.splitlines()
    headings = [line[3:].strip() for line in lines if line.startswith("## ")]
    assert headings == HEADINGS, f"{rule.code}: headings {headings}"
    assert lines[0] == rule.summary, f"{rule.code}: SUMMARY must be the docstring's first line"
    assert rule.summary.endswith("."), f"{rule.code}: the summary ends with a period"
    assert len(lines) > 1 and lines[1] == "", f"{rule.code}: a blank line after the summary"
    for heading in HEADINGS:
        assert section(rule.doc, heading), f"{rule.code}: section '{heading}' is empty"
    assert "```text" in section(rule.doc, "Example")
    assert "```text" in section(rule.doc, "Use instead")
    assert "RFC" in section(rule.doc, "References")


def test_scope_and_check(rule: Rule) -> None:
    assert rule.scope in SCOPES, f"{rule.code}: scope {rule.scope!r}"
    if rule.scope == "syntax":
        # The parser reports these codes; a check() may add valid-but-mistaken syntax that
        # parses (``include=x`` is an ignored unknown modifier).
        assert rule.code.startswith("SPF1")
    elif rule.scope == "requirement":
        # Reported by check and zone for requirements the user states, not by a check().
        assert rule.code.startswith("SPF5") and rule.check is None
    elif rule.scope == "zone":
        # Reported from the zone readers' notes, at a line and column of the file.
        assert rule.code.startswith("SPF6") and rule.check is None
    else:
        assert callable(rule.check), f"{rule.code}: a {rule.scope} rule needs check()"


def test_options_have_typed_defaults(rule: Rule) -> None:
    for key, default in rule.options.items():
        assert NAME_RE.fullmatch(key), f"{rule.code}: option '{key}' is not kebab-case"
        assert default is not None, f"{rule.code}: option '{key}' needs a typed default"


def test_case_file_exists(rule: Rule) -> None:
    assert (ROOT / "fixtures" / "rules" / f"{rule.code}.yml").is_file()


def test_doc_page_up_to_date(rule: Rule) -> None:
    page = ROOT / "docs" / "rules" / f"{rule.code}.md"
    assert page.is_file(), f"run scripts/gen_rule_docs.py to create {page.name}"
    assert page.read_text(encoding="utf-8") == GEN.render_page(rule), (
        f"{page.name} is out of date: run scripts/gen_rule_docs.py")


def test_doc_index_up_to_date() -> None:
    index = ROOT / "docs" / "rules" / "index.md"
    assert index.read_text(encoding="utf-8") == GEN.render_index(list(registry())), (
        "docs/rules/index.md is out of date: run scripts/gen_rule_docs.py")


def test_no_stale_doc_pages() -> None:
    codes = {r.code for r in registry()}
    pages = {p.stem for p in (ROOT / "docs" / "rules").glob("SPF*.md")}
    assert pages <= codes, f"pages for unknown rules: {sorted(pages - codes)}"


def test_lookup_by_code_name_and_alias(rule: Rule) -> None:
    reg = registry()
    assert reg.get(rule.code) == rule
    assert reg.get(rule.code.lower()) == rule
    assert reg.get(rule.name) == rule
    assert get(f" {rule.name.upper()} ") == rule
    for alias in rule.aliases:
        assert reg.get(alias) == rule
    assert rule.code in reg


@pytest.mark.parametrize("key", ["SPF999", "no-such-rule", "", "SPF1", "SPF1000"])
def test_unknown_rule(key: str) -> None:
    with pytest.raises(UnknownRuleError) as info:
        registry().get(key)
    assert key in str(info.value)
    assert key not in registry()
