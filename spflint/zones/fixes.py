"""Where corrected record texts come from: a ``RecordFixer`` maps a zone record to its new text.

The default fixer applies the fixes that lint findings carry as data (only safe ones unless
asked), re-linting after each round. Any other source of corrected records (such as a
minimal-record generator) plugs in by having the same signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from spflint.config import Config
from spflint.findings import Edit, Fix
from spflint.lint import lint_record

from .model import ZoneFile, ZoneRecord

# (record, configuration) -> the corrected record text, or None to leave it as it is.
RecordFixer = Callable[[ZoneRecord, Config], "str | None"]

MAX_ROUNDS = 10


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    return any((edit.start < other.end and other.start < edit.end)
               or edit.start == other.start for other in taken)


def apply_finding_fixes(text: str, config: Config, *, unsafe: bool = False,
                        strings: Sequence[bytes] | None = None,
                        domain: str | None = None) -> str:
    """``text`` with the fixes of its findings applied, round after round, until none is left.

    In each round the fixes whose edits do not overlap an earlier one are applied together,
    then the record is linted again. Unsafe fixes are applied only with ``unsafe``.
    """
    for _ in range(MAX_ROUNDS):
        result = lint_record(text, config, strings=strings, domain=domain)
        strings = None  # the strings of the original no longer describe the text
        fixes = [f.fix for f in result.findings
                 if f.fix is not None and f.fix.edits and (f.fix.safe or unsafe)]
        chosen: list[Edit] = []
        for fix in fixes:
            if any(_overlaps(edit, chosen) for edit in fix.edits):
                continue
            chosen.extend(fix.edits)
        if not chosen:
            break
        new = Fix("combined", tuple(chosen)).apply(text)
        if new == text:
            break
        text = new
    return text


def finding_fixer(*, unsafe: bool = False) -> RecordFixer:
    """A fixer applying the fixes lint findings carry (safe ones only unless ``unsafe``)."""

    def fixer(record: ZoneRecord, config: Config) -> str | None:
        try:
            original = record.value.decode("utf-8")
        except UnicodeDecodeError:
            return None  # a text that does not decode cannot be edited as text
        fixed = apply_finding_fixes(original, config, unsafe=unsafe, strings=record.strings,
                                    domain=record.name)
        return None if fixed == original else fixed

    return fixer


def corrected_texts(zones: Sequence[ZoneFile], fixer: RecordFixer,
                    config: Config) -> Mapping[tuple[str, int], str]:
    """New texts of the SPF records ``fixer`` changes, keyed by ``(path, start)``."""
    out: dict[tuple[str, int], str] = {}
    for zone in zones:
        for record in zone.spf_records:
            new = fixer(record, config)
            if new is not None and new != record.text:
                out[(record.path, record.start)] = new
    return out
