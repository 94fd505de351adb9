"""Flattening: replace includes by the addresses they pass, when lookups cannot get to 10."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..ast import Directive, Include, Term
from ..dns.names import canonical
from ..ipspace import Compiler, Final, IntervalMap, IPSpace, minimal_cidrs
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..txt import record_text
from .model import NEVER_FLATTEN, Change

if TYPE_CHECKING:
    from .engine import Fixer



@dataclass
class _Candidate:
    index: int
    name: str
    term: Directive
    replacement: list[Directive]
    saved: int
    added: int
    forced: bool

    @property
    def score(self) -> float:
        """Lookups saved per octet added (a flattening that shortens the record ranks first)."""
        return float("inf") if self.added <= 0 else self.saved / self.added


def _static(space: IntervalMap[Any]) -> bool:
    return all(isinstance(v, Final) and v.result in ("pass", "fail", "softfail", "neutral")
               for v in space.values)


def _passes(space: IntervalMap[Any]) -> list[tuple[int, int]]:
    return [(s, e) for s, e, v in space.intervals() if isinstance(v, Final)
            and v.result == "pass"]


def passing_networks(child: Any) -> list[Any] | None:
    """The minimal CIDRs where a compiled policy passes, or None when it is not static
    (a dynamic step or an error: no list of addresses can stand for it)."""
    if not (_static(child.v4) and _static(child.v6)):
        return None
    return minimal_cidrs(_passes(child.v4), 4) + minimal_cidrs(_passes(child.v6), 6)


async def flatten_includes(fixer: Fixer, terms: list[Term], target: IPSpace,
                           limit: int = LOOKUP_LIMIT) -> list[Term]:
    """Flatten the includes that save most lookups per octet until at most ``limit`` remain.

    ``--flatten`` names are flattened whatever the count; ``--keep`` names and Microsoft
    365's include never are. An include flattens only when its whole tree is static (no
    dynamic step, no error): it becomes the ranges where its target passes, with the
    include's qualifier, at the include's place: exactly the addresses where it matched.
    """
    from .engine import ip_directive

    keep = {canonical(n) for n in fixer.options.keep} | set(NEVER_FLATTEN)
    forced = {canonical(n) for n in fixer.options.flatten}
    candidates: list[_Candidate] = []
    for index, term in enumerate(terms):
        if not isinstance(term, Directive) or not isinstance(term.mechanism, Include) \
                or term.mechanism.domain.is_dynamic:
            continue
        name = canonical(term.mechanism.domain.render())
        if name in keep:
            if name in forced:
                raise fixer.fail(f"{name} cannot be both kept and flattened")
            continue
        child = await fixer.compiler.space(name)
        networks = passing_networks(child)
        if networks is None:
            if name in forced:
                raise fixer.fail(f"cannot flatten {name}: its policy has dynamic steps or "
                                 "errors, which addresses cannot express")
            continue
        qualifier = "" if term.qualifier == "+" else term.qualifier
        replacement = [ip_directive(n, qualifier) for n in networks]
        added = sum(len(t.render()) + 1 for t in replacement) - len(term.render()) - 1
        candidates.append(_Candidate(index, name, term, replacement, 1 + child.lookups, added,
                                     name in forced))
    missing = forced - {c.name for c in candidates}
    if missing:
        raise fixer.fail(f"--flatten {', '.join(sorted(missing))}: no such include in the "
                         "record")
    lookups = (await fixer.space(terms)).lookups
    chosen: dict[int, _Candidate] = {}
    for cand in sorted(candidates, key=lambda c: (not c.forced, -c.score, c.name, c.index)):
        if not cand.forced and lookups <= limit:
            break
        chosen[cand.index] = cand
        lookups -= cand.saved
    if not chosen:
        return terms
    out: list[Term] = []
    for index, term in enumerate(terms):
        picked = chosen.get(index)
        if picked is None:
            out.append(term)
            continue
        cand = picked
        out.extend(cand.replacement)
        why = ("requested with --flatten" if cand.forced else
               f"the policy needs more than {LOOKUP_LIMIT} DNS lookups" if limit == LOOKUP_LIMIT
               else f"the policy needs more than {limit} DNS lookups to leave room for the "
                    "includes that splitting the record adds")
        fixer.changes.append(Change(
            "flatten-include", False, f"{why}: the {len(cand.replacement)} ranges "
            f"{cand.name} passes today replace it, saving {cand.saved} lookups; they no "
            "longer follow the provider's changes (record them with --snapshot and re-run "
            "fix when they drift)", cand.term.render(),
            " ".join(t.render() for t in cand.replacement) or None))
    fixer.snapshot = await snapshot(fixer, [chosen[i] for i in sorted(chosen)])
    return out


def empty_snapshot(domain: str | None, today: str | None = None) -> dict[str, Any]:
    """A snapshot that records nothing flattened (``check --snapshot`` then has nothing to
    compare, and says so, instead of refusing the file)."""
    day = today or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    return {"spflint": __version__, "format": 1, "domain": domain, "date": day,
            "flattened": []}


async def snapshot(fixer: Fixer, flattened: Sequence[_Candidate]) -> dict[str, Any]:
    """What was flattened: each name, its term, the ranges and the DNS answers they came from."""
    today = fixer.options.today or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    entries = []
    for cand in flattened:
        fresh = Compiler(fixer.resolver, limits=False)
        await fresh.space(cand.name)
        answers = []
        for answer in fresh.answers:
            records: list[Any] = []
            for value in answer.records:
                if isinstance(value, tuple) and all(isinstance(s, bytes) for s in value):
                    records.append(record_text(value))  # type: ignore[arg-type]
                elif isinstance(value, tuple):
                    records.append([value[0], value[1]])
                else:
                    records.append(value)
            answers.append({"name": answer.name, "type": answer.rdtype,
                            "outcome": answer.outcome.value, "records": records})
        entries.append({
            "name": cand.name,
            "term": cand.term.render(),
            "lookups_saved": cand.saved,
            "ranges": [t.mechanism.render() for t in cand.replacement],
            "answers": answers,
        })
    return {**empty_snapshot(fixer.domain, today), "flattened": entries}
