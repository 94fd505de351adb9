"""Broken originals: apply the parser diagnosis' fixes, merge several SPF records into one."""

from __future__ import annotations

from ..ast import All, Directive, Include, Record, Redirect, Term
from ..errors import SpfSyntaxError
from ..parser import parse_record
from .model import Change, FixError

MAX_ROUNDS = 6
# When merged records disagree on 'all', the one whose intent is least likely to lose mail
# yet still says "not authorised" wins.
_ALL_PREFERENCE = ("~", "-", "?", "+")


def _token(text: str, position: int) -> str:
    start = text.rfind(" ", 0, position) + 1
    end = text.find(" ", position)
    return text[start: len(text) if end < 0 else end]


def parse_or_drop(text: str, changes: list[Change], *, unsafe: bool) -> Record:
    """Parse ``text`` (already repaired as far as the policy allows).

    A term that still does not parse is dropped with ``unsafe`` (receivers reject the whole
    record because of it); otherwise the record cannot be fixed.

    :raises FixError: the text does not parse and ``unsafe`` is not given.
    """
    text = text.strip()
    for _ in range(MAX_ROUNDS):
        try:
            return parse_record(text)
        except SpfSyntaxError as exc:
            problems = exc.problems
        problem = problems[0]
        token = _token(text, problem.start)
        if not unsafe:
            hint = ("correct it by hand, or allow result-changing repairs" if problem.fix
                    else "no fix is known; correct it by hand, or use --unsafe to drop the "
                         "term")
            raise FixError(f"cannot repair '{token}': {problem.message} ({hint})", changes)
        start = text.rfind(" ", 0, problem.start) + 1
        text = (text[:start] + text[start + len(token):]).strip()
        text = " ".join(part for part in text.split(" ") if part)
        changes.append(Change("drop-invalid-term", False,
                              f"{problem.message}; the term cannot be repaired and receivers "
                              "reject the whole record because of it", token, None))
    try:
        return parse_record(text)
    except SpfSyntaxError as exc:
        raise FixError(f"cannot repair the record: {exc}", changes) from None


def merge(records: list[Record], changes: list[Change], domain: str | None) -> Record:
    """One record with every mechanism of ``records`` (in order), one ``all``, one redirect."""
    mechanisms: list[Term] = []
    seen: set[str] = set()
    alls: list[str] = []
    redirects: list[Redirect] = []
    others: list[Term] = []
    for record in records:
        all_index = record.all_index
        for index, term in enumerate(record.terms):
            if isinstance(term, Directive):
                if all_index is not None and index > all_index:
                    continue
                if isinstance(term.mechanism, All):
                    alls.append(term.result_qualifier)
                    continue
                key = term.mechanism.render().lower()
                if key not in seen:
                    seen.add(key)
                    mechanisms.append(term)
            elif isinstance(term, Redirect):
                if all_index is None:
                    redirects.append(term)
            elif term.kind not in {t.kind for t in others} or term.kind == "unknown-modifier":
                others.append(term)
    tail: list[Term] = []
    if alls or len(redirects) > 1:
        for redirect in redirects:
            include = Directive("", Include(redirect.domain))
            if include.mechanism.render().lower() not in seen:
                mechanisms.append(include)
            changes.append(Change("redirect-to-include", False,
                                  f"'{redirect.render()}' cannot stay beside the other "
                                  "record's terms; its passes are kept as an include",
                                  redirect.render(), include.render()))
        qualifier = next((q for q in _ALL_PREFERENCE if q in alls), "~")
        tail.append(Directive("" if qualifier == "+" else qualifier, All()))
    else:
        tail.extend(redirects)
    where = f" at {domain}" if domain else ""
    merged = Record(tuple([*mechanisms, *tail, *others]))
    changes.append(Change("merge-records", False,
                          f"{len(records)} SPF records{where} make every receiver return "
                          "permerror (RFC 7208 §4.5); merged into one that authorises what "
                          "either did", " | ".join(r.render() for r in records),
                          merged.render()))
    return parse_record(merged.render())
