"""Close matches for a mistyped name (a rule, a DNS host, a command), for "did you mean" hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Letters typed for the digits they look like, in rule codes such as SPF21O.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def close_matches(word: str, candidates: Iterable[str], *, limit: int = 3,
                  cutoff: float = 0.6) -> list[str]:
    """Up to ``limit`` candidates close to ``word`` (ignoring case), best first.

    A code with a letter where a digit belongs (``SPF21O`` for SPF210) matches that code
    alone: similarity would rank every SPF21x alike.
    """
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    wanted = word.strip().lower()
    if not wanted or not by_lower:
        return []
    head, tail = wanted[:3], wanted[3:]
    digits = (head + tail.upper().translate(_DIGIT_LOOKALIKES)).lower()
    if digits != wanted and digits in by_lower:
        return [by_lower[digits]]
    scored = difflib.get_close_matches(wanted, list(by_lower), n=len(by_lower), cutoff=cutoff)
    # get_close_matches breaks ties by reverse string order; keep the first best ones stable.
    ranked = sorted(scored, key=lambda c: (-difflib.SequenceMatcher(None, wanted, c).ratio(),
                                           c))
    return [by_lower[c] for c in ranked[:limit]]


def did_you_mean(matches: list[str]) -> str:
    """``; did you mean A, B or C?`` for a message, or ``""`` without matches."""
    if not matches:
        return ""
    if len(matches) == 1:
        return f"; did you mean {matches[0]}?"
    return "; did you mean " + ", ".join(matches[:-1]) + f" or {matches[-1]}?"
