"""Value-format encoders and parsers round-trip arbitrary printable ASCII."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spflint.hosts import registry
from spflint.hosts.formats import (
    hcl_string,
    parse_hcl_string,
    parse_quoted,
    quote_strings,
)
from spflint.hosts.instructions import render
from spflint.hosts.model import HostFormatError, PublishedRecord

ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)


@given(st.lists(ascii_text, min_size=1, max_size=4))
def test_quoted_round_trip(strings: list[str]) -> None:
    assert parse_quoted(quote_strings(strings)) == strings


@given(ascii_text)
def test_hcl_round_trip(text: str) -> None:
    assert parse_hcl_string(hcl_string(text)) == text


@pytest.mark.parametrize("bad", ['"open', 'bare', '"a"b', '"a\\'])
def test_quoted_rejects(bad: str) -> None:
    with pytest.raises(HostFormatError):
        parse_quoted(bad)


@pytest.mark.parametrize("bad", ['"${x}"', '"%{if}"', '"a"b"', "x"])
def test_hcl_rejects(bad: str) -> None:
    with pytest.raises(HostFormatError):
        parse_hcl_string(bad)


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='",;\\'),
               min_size=1, max_size=600))
def test_every_host_round_trips_random_records(body: str) -> None:
    text = "v=spf1 " + body
    strings = [text[i:i + 255] for i in range(0, len(text), 255)]
    record = PublishedRecord("example.com", text, strings)
    for host in registry.hosts():
        result = render(host, [record], existing=True, domain="example.com")
        assert "".join(result.entries[0].strings) == text
