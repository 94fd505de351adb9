"""Offline linting of one record text: parse, then run every enabled record rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ast import Record, Span
from .config import Config
from .errors import SpfSyntaxError
from .findings import Finding, Severity
from .parser import Problem, parse_record
from .rules import Rule, registry
from .rules.base import Hit, RuleContext
from .txt import from_outside

_DEFAULT_CONFIG = Config()


@dataclass
class LintResult:
    """The outcome of linting one record text."""

    text: str
    record: Record | None  # None when the text did not parse
    findings: list[Finding] = field(default_factory=list)

    @property
    def parsed(self) -> bool:
        return self.record is not None


def _term_at(text: str, span: Span) -> str:
    """The whole space-delimited term containing ``span`` (what a user recognises)."""
    start = text.rfind(" ", 0, span.start) + 1
    end = text.find(" ", max(span.end - 1, span.start))
    return text[start : len(text) if end < 0 else end]


def make_finding(rule: Rule, config: Config, text: str, span: Span | None, message: str,
                 severity: Severity | None = None, **kwargs: object) -> Finding:
    """A finding for ``rule`` at ``span`` of ``text``.

    The severity is the configured one for the rule if any, else ``severity`` (a rule's
    per-finding level), else the rule's default.
    """
    column = end_column = term = None
    if span is not None:
        column = span.start + 1
        end_column = max(span.end, span.start + 1) + 1
        term = _term_at(text, span) if text else None
    level = config.severity.get(rule.code) or severity or rule.severity
    return Finding(code=rule.code, name=rule.name, severity=level,
                   message=message, term=term, column=column, end_column=end_column,
                   **kwargs)  # type: ignore[arg-type]


def problem_finding(problem: Problem, config: Config, text: str) -> Finding:
    """The finding for one parser problem."""
    rule = registry().get(problem.code)
    return make_finding(rule, config, text, Span(problem.start, problem.end), problem.message,
                        hint=problem.hint, fix=problem.fix)


def hit_finding(rule: Rule, hit: Hit, config: Config, text: str) -> Finding:
    return make_finding(rule, config, text, hit.span, hit.message, hit.severity, hint=hit.hint,
                        fix=hit.fix, extra=hit.extra)


# Enabled record-level rules and their options, worked out once per configuration object.
_PLANS: dict[int, tuple[Config, list[tuple[Rule, dict[str, Any]]]]] = {}


def _plan(config: Config) -> list[tuple[Rule, dict[str, Any]]]:
    cached = _PLANS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    no_options: dict[str, Any] = {}
    # Only the modules of these scopes are loaded (``check`` loads the DNS rules itself).
    rules = registry().in_scopes("record", "text", "syntax", with_check=True)
    plan = [(rule, config.options_for(rule) or no_options) for rule in rules
            if config.enabled(rule)]
    if len(_PLANS) > 64:
        _PLANS.clear()
    # The config is kept in the entry so its id cannot be reused while the entry lives.
    _PLANS[id(config)] = (config, plan)
    return plan


def lint_record(
    text: str,
    config: Config | None = None,
    *,
    strings: Sequence[bytes] | None = None,
    domain: str | None = None,
) -> LintResult:
    """Lint one SPF record text offline (no DNS).

    ``strings`` are the TXT character-strings the text was joined from, when known (size
    rules use them). Findings are sorted by column. Syntax problems come from the parser;
    record rules run only on a record that parsed.
    """
    config = config or _DEFAULT_CONFIG
    text = from_outside(text)
    result = LintResult(text, None)
    try:
        record = parse_record(text)
    except SpfSyntaxError as exc:
        if exc.problems[0].code == "SPF202":  # larger than any DNS answer: not parsed
            result.findings.append(_too_large(exc.problems[0], text, config))
            return result
        for problem in exc.problems:
            finding = problem_finding(problem, config, text)
            if config.enabled(registry().get(problem.code)):
                result.findings.append(finding)
        record = None
    result.record = record
    str_tuple = None if strings is None else tuple(strings)
    contexts: dict[int, RuleContext] = {}
    for rule, options in _plan(config):
        # "syntax" rules are reported by the parser; some also check parsed records for
        # valid-but-mistaken syntax (``include=x`` is an ignored unknown modifier).
        if record is None and rule.scope != "text":
            continue
        # Rules without options share one context (the plan gives them one empty dict).
        ctx = contexts.get(id(options))
        if ctx is None:
            ctx = contexts[id(options)] = RuleContext(text, str_tuple, options, domain)
        for hit in rule.check(record, ctx):  # type: ignore[misc]
            result.findings.append(hit_finding(rule, hit, config, text))
    result.findings.sort(key=lambda f: (f.column or 0, f.code))
    return result


def _too_large(problem: Problem, text: str, config: Config) -> Finding:
    """The one finding for a text no DNS answer could carry: an error, reported whatever the
    selection, since the record is not checked otherwise."""
    return make_finding(registry().get("SPF202"), config, text,
                        Span(problem.start, problem.end), problem.message, Severity.ERROR,
                        hint=problem.hint)
