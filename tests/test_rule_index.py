"""The rule index and the registry's loading of rule modules on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from spflint import rules
from spflint.errors import UnknownRuleError
from spflint.rules import RULE_MODULES, Registry, _index, _load
from tests.conftest import load_script

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    return load_script("gen_rule_index")


def test_index_is_current() -> None:
    current = (ROOT / "spflint" / "rules" / "_index.py").read_text(encoding="utf-8")
    assert current == _generator().render(), \
        "spflint/rules/_index.py is out of date: run scripts/gen_rule_index.py"
    assert list(_index.INDEX) == list(RULE_MODULES)


def _modules_loaded(code: str) -> list[str]:
    """The rule modules a fresh interpreter has loaded after running ``code``."""
    script = ("import json, sys\n" + code + "\n"
              "from spflint.rules import RULE_MODULES\n"
              "print(json.dumps(sorted(m for m in RULE_MODULES\n"
              "                        if 'spflint.rules.' + m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    names: list[str] = json.loads(out)
    return names


def test_get_loads_only_the_rules_module() -> None:
    loaded = _modules_loaded("from spflint.rules import get\n"
                             "get('duplicate-include'), get('SPF100')")
    # Exactly what importing the two modules loads (a rule may import a helper of another).
    assert loaded == _modules_loaded("import spflint.rules.duplicate_include\n"
                                     "import spflint.rules.invalid_version")
    assert "duplicate_include" in loaded and len(loaded) < 6


def test_lint_loads_no_dns_rule() -> None:
    loaded = _modules_loaded("from spflint.lint import lint_record\n"
                             "lint_record('v=spf1 ipv4:192.0.2.1 include:x.example.com -all')")
    scopes = {_index.INDEX[m][2] for m in loaded}
    assert scopes == {"record", "text", "syntax"}
    # Syntax codes without a check are loaded only for a problem the parser reported.
    assert "unknown_mechanism" in loaded  # SPF101 for 'ipv4:'
    assert "invalid_version" not in loaded


def test_in_scopes_matches_the_full_registry() -> None:
    full = list(Registry([_load(m) for m in RULE_MODULES]))
    for scopes in (("dns",), ("record", "text", "syntax"), ("requirement",)):
        lazy = Registry(modules=RULE_MODULES)
        assert lazy.in_scopes(*scopes) == [r for r in full if r.scope in scopes]
        assert lazy.in_scopes(*scopes, with_check=True) == \
            [r for r in full if r.scope in scopes and r.check is not None]
    lazy = Registry(modules=RULE_MODULES)
    assert "SPF213" in lazy and "multiple-spf-records" in lazy and "SPF999" not in lazy
    assert list(lazy) == full and len(lazy) == len(full)


def test_module_missing_from_the_index_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _index.INDEX["pass_all"]
    monkeypatch.delitem(_index.INDEX, "pass_all")
    lazy = Registry(modules=RULE_MODULES)
    assert lazy.get(entry[1]).code == entry[0]
    lazy = Registry(modules=RULE_MODULES)
    assert entry[0] in [r.code for r in lazy.in_scopes("record")]
    lazy = Registry(modules=RULE_MODULES)
    assert entry[0] in lazy
    with pytest.raises(UnknownRuleError):
        lazy.get("no-such-rule")


def test_built_in_registry_is_lazy() -> None:
    assert isinstance(rules.registry(), Registry)
    assert rules.registry() is rules.registry()
