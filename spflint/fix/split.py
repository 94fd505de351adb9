"""Publishing: strings of at most 255 octets, and chaining through ``_spfN`` includes.

Only pass-qualified mechanisms can move into a chained record. An ``include`` matches
exactly where its target *passes*; the chained record ends in ``-all``, so it passes where
one of the moved terms matched and fails elsewhere, and the parent then goes on to its next
term, as it did before the move. A ``-``, ``~`` or ``?`` term moved there would make the
target fail, softfail or be neutral, which the include turns into "no match": its result
would be lost. Moved terms must not depend on the record's own name either (a bare ``a``
or ``mx``, ``ptr``, macros), because ``%{d}`` becomes the chained name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..ast import IP4, IP6, MX, A, All, Directive, Include, Term, literal_domain
from ..txt import split_text as strings_of
from .model import Change, PublishedRecord

if TYPE_CHECKING:
    from .engine import Fixer


def movable(term: Term) -> bool:
    if not isinstance(term, Directive) or term.qualifier not in ("", "+"):
        return False
    mech = term.mechanism
    if isinstance(mech, IP4 | IP6):
        return True
    if isinstance(mech, Include | A | MX):
        return mech.domain is not None and not mech.domain.is_dynamic
    return False


def _runs(terms: Sequence[Term], chained: set[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = None
    for index, term in enumerate([*terms, None]):
        ok = term is not None and index not in chained and movable(term)
        if ok and start is None:
            start = index
        elif not ok and start is not None:
            runs.append((start, index))
            start = None
    return runs


def publish(fixer: Fixer, terms: list[Term]) -> list[PublishedRecord]:
    """The root record and any chained ``_spfN`` records, each within ``--max-size``."""
    render = fixer.render

    budget = fixer.options.max_size
    value = render(terms)
    if len(value) <= budget:
        return [PublishedRecord(fixer.domain or "", value, list(strings_of(value)))]
    if fixer.domain is None:
        raise fixer.fail(f"the record is {len(value)} octets, over --max-size {budget}; give "
                         "the DOMAIN so that it can be chained through _spf1.DOMAIN")
    children: list[PublishedRecord] = []
    chained: set[int] = set()
    while len(render(terms)) > budget:
        runs = _runs(terms, chained)
        if not runs:
            raise fixer.fail(f"the record is {len(render(terms))} octets, over --max-size "
                             f"{budget}, and no pass-qualified terms are left to move into "
                             "a chained include")
        start, end = max(runs, key=lambda r: (len(render(terms[r[0]:r[1]])), -r[0]))
        groups: list[list[Term]] = [[]]
        for term in terms[start:end]:
            if len(render([*groups[-1], term])) + len(" -all") > budget:
                groups.append([])
            groups[-1].append(term)
        includes: list[Term] = []
        for group in groups:
            name = f"_spf{len(children) + 1}.{fixer.domain}"
            child_value = render([*group, Directive("-", All())])
            children.append(PublishedRecord(name, child_value, list(strings_of(child_value))))
            includes.append(Directive("", Include(literal_domain(name))))
            fixer.changes.append(Change(
                "chain-include", True, f"the record is over {budget} octets: pass-qualified "
                f"terms move to {name}, which passes exactly where they matched (only pass "
                "terms can move: an include ignores its target's fail, softfail and neutral)",
                " ".join(t.render() for t in group), includes[-1].render()))
        terms = [*terms[:start], *includes, *terms[end:]]
        chained.update(range(start, start + len(includes)))
    value = render(terms)
    return [PublishedRecord(fixer.domain or "", value, list(strings_of(value))), *children]

