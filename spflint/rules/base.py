"""What a rule's ``check`` receives (``RuleContext``) and yields (``Hit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..ast import Span
from ..findings import Fix, Severity


@dataclass(frozen=True)
class Hit:
    """One problem a rule found: where (a span of the record text), what, and a fix.

    The engine turns a hit into a ``Finding``, stamping code, name and severity from the
    registry and configuration, and the column and term text from the span.
    """

    span: Span | None
    message: str
    hint: str | None = None
    fix: Fix | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # A rule whose findings differ in gravity sets this per hit; configuration still wins.
    severity: Severity | None = None


class RuleContext(NamedTuple):
    """What a record-scope rule may know besides the tree itself.

    A named tuple rather than a dataclass: one is built per rule per record, on the hot path.
    """

    text: str  # the record text the spans refer to
    strings: tuple[bytes, ...] | None = None  # the TXT character-strings, when known
    options: dict[str, Any] = {}  # noqa: RUF012 - the rule's options, validated, never mutated
    domain: str | None = None  # the owner name, when known


@dataclass(frozen=True)
class TreeHit:
    """One problem a DNS-scope rule found in a walked tree (``spflint.tree.Tree``).

    ``node`` is the ``TreeNode`` the problem belongs to (its name becomes the finding's
    ``domain``); ``span`` is a span of that node's record text when the problem is a term.
    """

    node: Any
    message: str
    span: Span | None = None
    term: str | None = None
    hint: str | None = None
    fix: Fix | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None


@dataclass(frozen=True)
class TreeContext:
    """What a DNS-scope rule may know besides the tree."""

    options: dict[str, Any] = field(default_factory=dict)
