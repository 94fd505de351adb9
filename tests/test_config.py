"""Configuration: validation messages, discovery, and files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from spflint.config import from_mapping, load_config
from spflint.errors import ConfigError
from spflint.findings import Severity


def test_valid_table_by_names_codes_and_prefixes() -> None:
    config = from_mapping({"select": ["SPF3"], "ignore": ["ptr-mechanism"],
                           "severity": {"SPF314": "info"}, "fail-on": "warning",
                           "rules": {"broad-range": {"max-prefix-v4": 12}}})
    assert "SPF301" in (config.select or ()) and "SPF310" in config.ignore
    assert config.severity["SPF314"] is Severity.INFO and config.fail_on is Severity.WARNING
    assert config.options["SPF302"] == {"max-prefix-v4": 12}


@pytest.mark.parametrize(("table", "message"), [
    ({"colour": "red"}, "unknown key(s) colour"),
    ({"ignore": ["no-such-rule"]}, "unknown rule 'no-such-rule'"),
    ({"rules": {"broad-range": {"max-prefix-v4": "8"}}}, "must be int"),
    ({"rules": {"broad-range": {"nope": 1}}}, "has no option 'nope'"),
    ({"severity": {"SPF301": "fatal"}}, "unknown severity 'fatal'"),
])
def test_invalid_tables_name_what_is_wrong(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_mapping(table, "pyproject.toml")


def test_found_upwards_and_dotfile_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.spflint]\nfail-on = "info"\n')
    nested = tmp_path / "zones" / "deep"
    nested.mkdir(parents=True)
    assert load_config(nested).fail_on is Severity.INFO
    (tmp_path / "zones" / ".spflint.toml").write_text('fail-on = "warning"\n')
    assert load_config(nested).fail_on is Severity.WARNING


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00 not utf-8")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(explicit=binary)
    broken = tmp_path / "broken.toml"
    broken.write_text("[tool.spflint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(explicit=broken)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(explicit=tmp_path / "missing.toml")
