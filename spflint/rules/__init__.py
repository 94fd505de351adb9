"""Rule registry: every rule module, by stable code and kebab-case name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ..errors import UnknownRuleError
from ..findings import Severity
from ._index import INDEX

# One module per rule (or per syntax code emitted by the parser). Listed explicitly so the
# registry is greppable; tests/test_registry.py keeps this list, the docs and the cases in
# agreement.
RULE_MODULES: tuple[str, ...] = (
    # SPF1xx: syntax, reported by the parser (these modules hold documentation only)
    "invalid_version",  # SPF100
    "unknown_mechanism",  # SPF101
    "invalid_separator",  # SPF102
    "glued_terms",  # SPF103
    "invalid_ip_address",  # SPF104
    "invalid_cidr_length",  # SPF105
    "invalid_domain_spec",  # SPF106
    "invalid_macro",  # SPF107
    "wrong_delimiter",  # SPF108
    "invalid_character",  # SPF109
    "space_after_colon",  # SPF110
    "ip_address_as_domain",  # SPF111
    "invalid_argument",  # SPF112
    # SPF2xx: sizes and DNS lookup limits visible in the record itself
    "string_too_long",  # SPF201
    "record_too_long",  # SPF202
    "lookup_terms_over_limit",  # SPF203
    # SPF21x-SPF22x: the walked tree (DNS lookups, limits, records at every name)
    "too_many_dns_lookups",  # SPF210
    "too_many_void_lookups",  # SPF211
    "include_without_spf",  # SPF212
    "multiple_spf_records",  # SPF213
    "spf_type99_record",  # SPF214
    "near_miss_record",  # SPF215
    "too_many_mx_names",  # SPF216
    "mx_without_address",  # SPF217
    "target_not_found",  # SPF218
    "include_loop",  # SPF219
    "include_reached_twice",  # SPF220
    "ranges_authorised_twice",  # SPF221
    "txt_answer_too_large",  # SPF222
    "string_boundary_in_term",  # SPF223
    "explanation_problem",  # SPF224
    "dns_lookup_failed",  # SPF225
    "no_spf_record",  # SPF226
    "consumer_mail_include",  # SPF227
    # SPF3xx: semantics
    "pass_all",  # SPF301
    "broad_range",  # SPF302
    "neutral_all",  # SPF303
    "missing_all",  # SPF304
    "multiple_all",  # SPF305
    "terms_after_all",  # SPF306
    "redirect_ignored",  # SPF307
    "duplicate_modifier",  # SPF308
    "modifier_before_mechanisms",  # SPF309
    "ptr_mechanism",  # SPF310
    "duplicate_term",  # SPF311
    "duplicate_include",  # SPF312
    "overlapping_ranges",  # SPF313
    "non_routable_range",  # SPF314
    "host_bits_set",  # SPF315
    "unknown_modifier",  # SPF316
    "m365_lookalike",  # SPF317
    "suspicious_domain",  # SPF318
    # SPF4xx: style
    "non_canonical_case",  # SPF401
    "redundant_cidr",  # SPF402
    "redundant_qualifier",  # SPF403
    # SPF5xx: requirements the user states (reported by check and zone)
    "requirement_not_met",  # SPF501
    # SPF6xx: zone files (reported from the readers' notes, at a line and column of the file)
    "relative_target",  # SPF601
    "zone_entry_skipped",  # SPF602
    "invalid_zone_record",  # SPF603
)


@dataclass(frozen=True)
class Rule:
    """A rule's metadata and its check function (``None`` for codes the parser emits)."""

    code: str
    name: str
    summary: str
    severity: Severity
    doc: str
    # "syntax" (parser), "record"/"text" (static), "dns" (needs the resolved tree),
    # "requirement" (stated by the user), "zone" (a zone reader's note, no check())
    scope: str
    check: Callable[..., Iterator[Any]] | None
    options: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    status: str = "stable"
    module: ModuleType | None = field(default=None, compare=False, repr=False)


def _load(module_name: str) -> Rule:
    mod = importlib.import_module(f"{__name__}.{module_name}")
    return Rule(
        code=mod.CODE,
        name=mod.NAME,
        summary=mod.SUMMARY,
        severity=mod.SEVERITY,
        doc=(mod.__doc__ or "").strip(),
        scope=getattr(mod, "SCOPE", "record"),
        check=getattr(mod, "check", None),
        options=dict(getattr(mod, "OPTIONS", {})),
        aliases=tuple(getattr(mod, "ALIASES", ())),
        status=getattr(mod, "STATUS", "stable"),
        module=mod,
    )


class Registry:
    """Rules by code, with lookup by code, name or alias.

    The registry of the built-in rules imports a rule's module only when the rule is needed:
    ``get`` loads one module, ``in_scopes`` the modules of some scopes, iteration all of them.
    What it needs to know beforehand (code, name, aliases, scope) comes from ``_index.INDEX``,
    generated from the modules by ``scripts/gen_rule_index.py``; a module missing from the
    index is loaded whenever a lookup could concern it.
    """

    def __init__(self, rules: Iterable[Rule] = (), *, modules: Iterable[str] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        self._by_key: dict[str, Rule] = {}
        self._sorted: dict[str, Rule] | None = None
        for rule in rules:
            self._add(rule)
        self._pending = list(modules)
        self._pending_keys: dict[str, str] = {}
        for module in self._pending:
            entry = INDEX.get(module)
            if entry is not None:
                code, name, _scope, _check, aliases = entry
                for key in (code, name, *aliases):
                    self._pending_keys[key.lower()] = module

    def _add(self, rule: Rule) -> None:
        self._rules[rule.code] = rule
        self._sorted = None
        for key in (rule.code, rule.name, *rule.aliases):
            self._by_key[key.lower()] = rule

    def _load(self, modules: Iterable[str]) -> None:
        for module in list(modules):
            if module in self._pending:
                self._pending.remove(module)
                self._add(_load(module))

    def _unindexed(self) -> list[str]:
        return [m for m in self._pending if m not in INDEX]

    @property
    def rules(self) -> dict[str, Rule]:
        """Every rule, by code, in code order."""
        self._load(list(self._pending))
        if self._sorted is None:
            self._sorted = {code: self._rules[code] for code in sorted(self._rules)}
        return self._sorted

    def get(self, key: str) -> Rule:
        """The rule with this code, name or alias.

        :raises UnknownRuleError: no rule is known by that key.
        """
        wanted = key.strip().lower()
        rule = self._by_key.get(wanted)
        if rule is None:
            module = self._pending_keys.get(wanted)
            self._load([module] if module is not None else self._unindexed())
            rule = self._by_key.get(wanted)
        if rule is None:
            raise UnknownRuleError(rule=key)
        return rule

    def in_scopes(self, *scopes: str, with_check: bool = False) -> list[Rule]:
        """The rules of these scopes, in code order (``with_check``: only those with a check
        function, i.e. not the syntax codes only the parser reports)."""
        def wanted(module: str) -> bool:
            entry = INDEX.get(module)
            return entry is None or (entry[2] in scopes and (entry[3] or not with_check))

        self._load([m for m in self._pending if wanted(m)])
        return [rule for code, rule in sorted(self._rules.items())
                if rule.scope in scopes and (rule.check is not None or not with_check)]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        wanted = key.strip().lower()
        if wanted in self._by_key or wanted in self._pending_keys:
            return True
        self._load(self._unindexed())
        return wanted in self._by_key

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The registry of all built-in rules (each module loaded on first use)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry(modules=RULE_MODULES)
    return _REGISTRY


def get(key: str) -> Rule:
    """Shortcut for ``registry().get(key)``."""
    return registry().get(key)
