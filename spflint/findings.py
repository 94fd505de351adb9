"""The one value type every rule, the parser and the DNS checks report: ``Finding``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Finding levels, ordered so that ``>=`` means "at least as serious"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity '{text}' (use error, warning or info)") from None


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (0-based, end exclusive) with ``replacement``."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A repair expressed as data; only the fixer applies it.

    ``safe`` is False whenever applying the edits could change which senders pass SPF.
    """

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True

    def apply(self, text: str) -> str:
        """Apply the edits to ``text`` (edits must not overlap)."""
        out = text
        for edit in sorted(self.edits, key=lambda e: e.start, reverse=True):
            out = out[: edit.start] + edit.replacement + out[edit.end :]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "safe": self.safe,
            "edits": [
                {"start": e.start, "end": e.end, "replacement": e.replacement} for e in self.edits
            ],
        }


@dataclass(frozen=True, eq=False)
class Finding:
    """One problem found in a record, a DNS tree or a zone file.

    ``column`` and ``end_column`` are 1-based positions in the record text. ``line`` and
    ``file`` are set when the record came from a zone file; ``line`` is where the record's
    entry starts. ``file_line``/``file_column`` and ``file_end_line``/``file_end_column``
    place the term in the file itself (1-based, in characters; the end is exclusive), when
    the record text could be mapped back to it. Equality compares (code, line, column) so
    tests can state expectations tersely.
    """

    code: str
    name: str
    severity: Severity
    message: str
    term: str | None = None
    column: int | None = None
    end_column: int | None = None
    domain: str | None = None
    file: str | None = None
    line: int | None = None
    hint: str | None = None
    fix: Fix | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    file_line: int | None = None
    file_column: int | None = None
    file_end_line: int | None = None
    file_end_column: int | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return (self.code, self.line, self.column) == (other.code, other.line, other.column)

    def __hash__(self) -> int:
        return hash((self.code, self.line, self.column))

    def located(self, **changes: Any) -> Finding:
        """A copy with location fields (``domain``, ``file``, ``line``...) replaced."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return Finding(**values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a diagnostic (the only input of the JSON and SARIF formats)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
        }
        for key in ("domain", "term", "column", "end_column", "file", "line", "file_line",
                    "file_column", "file_end_line", "file_end_column", "hint"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.fix is not None:
            out["fix"] = self.fix.to_dict()
        if self.extra:
            out["extra"] = self.extra
        return out
