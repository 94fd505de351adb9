"""The one TXT character-string codec: join, split, cut and quote."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spflint.txt import (
    MAX_STRING,
    cut,
    octodns_escape,
    octodns_unescape,
    quote,
    quote_text,
    record_text,
    split,
    split_text,
)

TERMS = st.lists(st.from_regex(r"[a-z0-9:./-]{1,300}", fullmatch=True), min_size=1,
                 max_size=40)


@given(TERMS)
def test_split_joins_back_fits_and_breaks_between_terms(words: list[str]) -> None:
    value = " ".join(["v=spf1", *words]).encode()
    strings = split(value)
    assert b"".join(strings) == value
    assert all(0 < len(s) <= MAX_STRING for s in strings)
    for piece in strings[:-1]:
        # A break falls after a space unless a single term is longer than a string.
        assert piece.endswith(b" ") or b" " not in piece[1:]
    assert split_text(value.decode()) == tuple(s.decode() for s in strings)


def test_cut_and_join() -> None:
    assert cut(b"") == (b"",)
    assert [len(s) for s in cut(b"x" * 600)] == [255, 255, 90]
    assert record_text(cut(b"v=spf1 \xe9 -all")) == "v=spf1 \xe9 -all"  # every octet kept


def test_quote() -> None:
    assert quote(b'a "b" \\ \x01\xff') == b'"a \\"b\\" \\\\ \\001\\255"'
    assert quote(b"plain", plain=True) == b"plain"
    assert quote(b"two words", plain=True) == b'"two words"'
    assert quote(b"", plain=True) == b'""'
    assert quote_text("caf\u00e9") == '"caf\\195\\169"'


def test_octodns_semicolons() -> None:
    assert octodns_escape("a;b\\;c") == "a\\;b\\;c"
    assert octodns_unescape(octodns_escape("x; y;")) == "x; y;"
