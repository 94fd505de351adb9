"""Configuration: rule selection, severities and options from pyproject.toml or .spflint.toml."""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, UnknownRuleError
from .findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

if TYPE_CHECKING:  # avoids importing every rule at start-up
    from .rules import Registry, Rule

_KNOWN_KEYS = {"select", "ignore", "fail-on", "severity", "rules", "require", "profile"}


@dataclass(frozen=True)
class Config:
    """Which rules run, at which severity, with which options."""

    select: frozenset[str] | None = None  # codes; None means every rule
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code -> severity
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code -> options
    fail_on: Severity = Severity.ERROR
    require: Mapping[str, Any] = field(default_factory=dict)  # zone name -> requirements
    source: str | None = None  # the file this came from

    def enabled(self, rule: Rule) -> bool:
        if rule.code in self.ignore:
            return False
        return self.select is None or rule.code in self.select

    def options_for(self, rule: Rule) -> dict[str, Any]:
        merged = dict(rule.options)
        merged.update(self.options.get(rule.code, {}))
        return merged

    def with_selection(self, select: Iterable[str] = (), ignore: Iterable[str] = (),
                       fail_on: str | None = None) -> Config:
        """A copy with command-line ``--select``/``--ignore``/``--fail-on`` applied on top."""
        from .rules import registry

        reg = registry()
        sel = list(select)
        new_select = _expand(sel, reg, "--select") if sel else self.select
        ignored_here = _expand(list(ignore), reg, "--ignore")
        new_ignore = self.ignore | ignored_here
        for key in sel:
            # A rule selected by name but ignored as well would silently not run.
            codes = _expand([key], reg, "--select")
            if codes <= new_ignore:
                by = "--ignore" if codes & ignored_here else \
                    f"'ignore' in {self.source or 'the configuration'}"
                raise ConfigError(f"--select {key}: every rule it names is skipped by {by}")
        level = self.fail_on if fail_on is None else _severity(fail_on, "--fail-on")
        return Config(new_select, new_ignore, self.severity, self.options, level, self.require,
                      self.source)


def _severity(value: object, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected error, warning or info, got {value!r}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _expand(keys: list[str], reg: Registry, where: str) -> frozenset[str]:
    """Codes for rule codes, names, aliases or code prefixes such as ``SPF3``."""
    out: set[str] = set()
    for key in keys:
        if not isinstance(key, str):
            raise ConfigError(f"{where}: expected rule codes or names, got {key!r}")
        key = key.strip()
        if key.upper() == "ALL":
            out.update(r.code for r in reg)
            continue
        try:
            out.add(reg.get(key).code)
            continue
        except UnknownRuleError:
            pass
        prefixed = [r.code for r in reg if r.code.startswith(key.upper()) and key]
        if not prefixed or not key.upper().startswith("SPF"):
            raise ConfigError(f"{where}: unknown rule '{key}'{rule_suggestions(key, reg)}")
        out.update(prefixed)
    return frozenset(out)


def rule_suggestions(key: str, reg: Registry) -> str:
    """``; did you mean SPF210 (too-many-dns-lookups)?`` for a mistyped rule code, name or
    alias, or ``""`` when nothing is close."""
    from .suggest import close_matches, did_you_mean

    labels: dict[str, str] = {}
    for rule in reg:
        labels[rule.code] = f"{rule.code} ({rule.name})"
        for name in (rule.name, *rule.aliases):
            labels[name] = f"{name} ({rule.code})"
    return did_you_mean([labels[m] for m in close_matches(key, labels)])


def from_mapping(data: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a ``[tool.spflint]`` table.

    :raises ConfigError: unknown keys, unknown rules, wrong types or bad option values.
    """
    from .rules import registry

    reg = registry()
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_KNOWN_KEYS))})")
    select = data.get("select")
    if select is not None and not isinstance(select, list):
        raise ConfigError(f"{source}: 'select' must be a list of rule codes or names")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list):
        raise ConfigError(f"{source}: 'ignore' must be a list of rule codes or names")
    severities: dict[str, Severity] = {}
    sev_table = data.get("severity", {})
    if not isinstance(sev_table, dict):
        raise ConfigError(f"{source}: 'severity' must be a table of rule = level")
    for key, value in sev_table.items():
        rule = _rule(reg, key, f"{source}: severity")
        severities[rule.code] = _severity(value, f"{source}: severity.{key}")
    options: dict[str, dict[str, Any]] = {}
    rules_table = data.get("rules", {})
    if not isinstance(rules_table, dict):
        raise ConfigError(f"{source}: 'rules' must be a table of rule option tables")
    for key, value in rules_table.items():
        rule = _rule(reg, key, f"{source}: rules")
        options[rule.code] = validate_rule_options(rule, value, source)
    require = data.get("require", {})
    if not isinstance(require, dict):
        raise ConfigError(f"{source}: 'require' must be a table of zone name = requirements")
    fail_on = _severity(data.get("fail-on", "error"), f"{source}: fail-on")
    return Config(
        select=None if select is None else _expand(select, reg, f"{source}: select"),
        ignore=_expand(ignore, reg, f"{source}: ignore"),
        severity=severities,
        options=options,
        fail_on=fail_on,
        require=require,
        source=source,
    )


def _rule(reg: Registry, key: str, where: str) -> Rule:
    try:
        return reg.get(key)
    except UnknownRuleError:
        raise ConfigError(f"{where}: unknown rule '{key}'{rule_suggestions(key, reg)}") from None


def validate_rule_options(rule: Rule, value: object, source: str) -> dict[str, Any]:
    """Check a rule's option table against the rule's declared defaults (names and types).

    :raises ConfigError: an option the rule does not have, or a value of the wrong type.
    """
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: rules.{rule.name} must be a table of options")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in rule.options:
            known = ", ".join(sorted(rule.options)) or "none"
            raise ConfigError(f"{source}: rule {rule.code} ({rule.name}) has no option "
                              f"'{key}' (options: {known})")
        default = rule.options[key]
        # bool is an int subclass: compare exact types so `true` is not taken for a number.
        if type(item) is not type(default) and not (
            isinstance(default, list) and isinstance(item, list)
        ):
            raise ConfigError(f"{source}: rule {rule.code} ({rule.name}) option '{key}' "
                              f"must be {type(default).__name__}, got {item!r}")
        out[key] = item
    return out


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """Find and load configuration.

    ``explicit`` (``--config``) wins; otherwise the nearest ``.spflint.toml`` or a
    ``pyproject.toml`` with a ``[tool.spflint]`` table, searching upwards from ``start``.

    :raises ConfigError: the file cannot be read or is invalid.
    """
    if explicit is not None:
        return _load_file(explicit)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        dotfile = folder / ".spflint.toml"
        if dotfile.is_file():
            return _load_file(dotfile)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            table = data.get("tool", {}).get("spflint")
            if isinstance(table, dict):
                return from_mapping(table, str(pyproject))
    return Config()


MAX_CONFIG_BYTES = 1024 * 1024  # a configuration is a few hundred octets


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        # Checked before opening: a FIFO would block the open, a device never end.
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES // 1024} KiB, too large for a "
                              "configuration file")
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.loads(
                handle.read(MAX_CONFIG_BYTES + 1).decode("utf-8"))
            return data
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: values nested too deep") from None
    except ValueError:  # Python refuses to read an integer of thousands of digits
        raise ConfigError(f"{path}: invalid TOML: a number too long to read") from None


def _load_file(path: Path) -> Config:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("spflint", {})
    elif "tool" in data and "spflint" in data["tool"]:
        data = data["tool"]["spflint"]
    return from_mapping(data, str(path))
