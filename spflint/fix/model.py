"""Value types of the fixer: options, listed changes, published records, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SpflintError
from ..hosts.model import PublishedRecord

__all__ = ["Change", "FixError", "FixOptions", "FixResult", "PublishedRecord", "record_line"]

DEFAULT_MAX_SIZE = 450  # whole TXT answer budget (RFC 7208 §3.4)
NEVER_FLATTEN = ("spf.protection.outlook.com",)
# The most terms a record may have for fix to work on it: every change is proven on the whole
# record, and a published record holds tens of terms (a record of thousands is refused at
# once rather than worked on for minutes).
MAX_FIX_TERMS = 2000


def terms_in(text: str) -> int:
    """How many terms a record text holds (its words after the version), for MAX_FIX_TERMS."""
    return len(text.split()) - 1


@dataclass(frozen=True)
class Change:
    """One change the fixer made; ``safe`` is True only when it is proven that no address's
    result changes, whatever DNS answers."""

    kind: str
    safe: bool
    reason: str
    before: str | None = None
    after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "safe": self.safe, "reason": self.reason,
                "before": self.before, "after": self.after}

    def summary(self) -> str:
        """One line: ``kind [safe]: before → after``."""
        what = " → ".join(x for x in (self.before, self.after) if x)
        return f"{self.kind} [{'safe' if self.safe else 'unsafe'}]: {what}".rstrip(": ")


def record_line(record: PublishedRecord) -> str:
    """A published record as one line: ``name TXT "string" "string"``."""
    return f"{record.name or '(record)'} TXT " + " ".join(f'"{s}"' for s in record.strings)


@dataclass(frozen=True)
class FixOptions:
    """What to fix and what is allowed."""

    domain: str | None = None
    record: str | None = None  # stands for the domain's current record when both are given
    ips: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    # ``unsafe``: changes that hold only for today's DNS answers or change results
    # (dropping a/mx as redundant, removing ptr, softening +all, ...). ``repairs``: changes of
    # result that repair a record receivers cannot use at all (a typo, two records).
    # ``style``: the style rules (SPF4xx) whose fixes may respell terms; None: all.
    unsafe: bool = False
    repairs: bool = True
    style: frozenset[str] | None = None
    keep: tuple[str, ...] = ()
    flatten: tuple[str, ...] = ()
    max_size: int = DEFAULT_MAX_SIZE
    today: str | None = None  # ISO date written to the snapshot (default: today, UTC)


@dataclass
class FixResult:
    """Proven corrected record(s), what changed, and their worst-case costs."""

    records: list[PublishedRecord]
    changes: list[Change]
    lookups: int
    voids: int
    original: list[str] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes)


class FixError(SpflintError):
    """No record could be proven correct: the message says why (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str, changes: list[Change] | None = None) -> None:
        super().__init__(message)
        self.changes = list(changes or [])
