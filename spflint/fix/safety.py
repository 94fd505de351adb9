"""Fix safety by proof: a change is safe when no DNS answer can make any address's result differ."""

from __future__ import annotations

from collections.abc import Sequence

from ..ast import Record, Term
from ..dns.names import canonical
from ..errors import SpfSyntaxError
from ..ipspace import Compiler, Final, IntervalMap, IPSpace, diff
from ..parser import parse_record

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
    if isinstance(record, str):
        try:
            record = parse_record(record)
        except SpfSyntaxError:
            return _BROKEN
    return await Compiler(None, limits=False).space(domain or "", record)


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
    """Whether receivers return permerror for every sender, whatever DNS says (a record that
    does not parse, or repeats a modifier): repairing it cannot narrow what passes."""
    space = await symbolic_space(record, domain)
    return all(isinstance(v, Final) and v.result == "permerror"
               for family in (space.v4, space.v6) for v in family.values)


async def terms_safe(before: Sequence[Term], after: Sequence[Term], domain: str | None) -> bool:
    """:func:`proven_safe` for two term lists (records without their version tag)."""
    return await proven_safe(Record(tuple(before)), Record(tuple(after)), domain)
