"""Fix safety by proof: a change is safe when no DNS answer can make any address's result differ."""

from __future__ import annotations

from collections.abc import Sequence

from ..ast import Record, Term
from ..dns.names import canonical
from ..errors import SpfSyntaxError
from ..ipspace import Compiler, Final, IntervalMap, IPSpace, diff
from ..parser import parse_record
from ..semantics import has_duplicate_modifier

# A record that does not parse, or with two redirect=/exp= modifiers, is a permerror for
# every sender: that is its whole space.
_BROKEN = IPSpace(IntervalMap.constant(32, Final("permerror")),
                  IntervalMap.constant(128, Final("permerror")))


async def symbolic_space(record: Record | str, domain: str | None) -> IPSpace:
    """The record's space with every DNS-dependent term left open.

    Compiled with no resolver and without the lookup limits: an include, ``a``, ``mx``,
    ``exists`` or ``ptr`` is a step that may match or not (or fail) depending on answers
    nobody has, so two records with equal symbolic spaces give every address the same result
    under every possible DNS answer. (Two steps asking the same question within one
    evaluation get the same answer, so a repeated step is decided by the first.)
    """
    key = (record, domain) if isinstance(record, str) else None
    if key is not None and key in _SPACES:
        return _SPACES[key]
    if isinstance(record, str):
        try:
            parsed = parse_record(record)
        except SpfSyntaxError:
            return _BROKEN
    else:
        parsed = record
    space = await Compiler(None, limits=False, counting=False).space(domain or "", parsed)
    if key is not None:
        if len(_SPACES) >= _SPACES_KEPT:
            _SPACES.pop(next(iter(_SPACES)))
        _SPACES[key] = space
    return space


# Recent symbolic spaces by (text, domain): a round of fixes proves against the same record
# many times, and spaces are never changed once built.
_SPACES: dict[tuple[str, str | None], IPSpace] = {}
_SPACES_KEPT = 64


async def proven_safe(before: Record | str, after: Record | str, domain: str | None) -> bool:
    """Whether ``after`` gives every address the result ``before`` gives, whatever DNS says."""
    if _explanation(before) != _explanation(after):
        return False  # what rejected senders are told changes
    old = await symbolic_space(before, domain)
    new = await symbolic_space(after, domain)
    return not diff(old, new)


def _explanation(record: Record | str) -> str | None:
    if isinstance(record, str):
        try:
            record = parse_record(record)
        except SpfSyntaxError:
            return None
    exp = record.explanation
    return None if exp is None else canonical(exp.domain.render())


async def is_broken(record: Record | str, domain: str | None) -> bool:
    """Whether receivers return permerror for every sender, whatever DNS says: a record that
    does not parse, or repeats ``redirect=`` or ``exp=`` (RFC 7208 §6). Repairing such a
    record cannot narrow what passes."""
    if isinstance(record, str):
        try:
            record = parse_record(record)
        except SpfSyntaxError:
            return True
    return has_duplicate_modifier(record) is not None


async def terms_safe(before: Sequence[Term], after: Sequence[Term], domain: str | None) -> bool:
    """:func:`proven_safe` for two term lists (records without their version tag)."""
    return await proven_safe(Record(tuple(before)), Record(tuple(after)), domain)
