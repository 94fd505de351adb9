"""Macro expansion (RFC 7208 §7): letters, transformers, escapes, URL encoding, truncation."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from spflint.errors import SpfSyntaxError
from spflint.macros import (
    MacroContext,
    dotted_ip,
    expand,
    expand_domain,
    is_valid_target,
    normalize_ip,
    parse_explain_string,
    split_sender,
    transform,
    truncate_domain,
    url_escape,
)
from spflint.parser import parse_macro_string

# The examples of RFC 7208 §7.4.
RFC_CTX = MacroContext(
    ip=ipaddress.ip_address("192.0.2.3"),
    sender="strong-bad@email.example.com",
    domain="email.example.com",
    helo="mx.example.org",
    receiver="mx.receiver.example",
    timestamp=1_700_000_000,
)


def run(text: str, ctx: MacroContext = RFC_CTX) -> str:
    return asyncio.run(expand(parse_macro_string(text), ctx))


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
         "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
         "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{h}", "mx.example.org"),
        ("%{c}", "192.0.2.3"),
        ("%{r}", "mx.receiver.example"),
        ("%{t}", "1700000000"),
        ("%{p}", "unknown"),  # no validated name without a lookup function
        ("%%%_%-", "% %20"),
        ("a%{d1}b", "acomb"),
    ],
)
def test_rfc_examples(macro: str, expected: str) -> None:
    assert run(macro) == expected


def test_ipv6_examples() -> None:
    ctx = MacroContext(ipaddress.ip_address("2001:db8::cb01"), RFC_CTX.sender,
                       "email.example.com")
    assert run("%{ir}.%{v}._spf.%{d2}", ctx) == (
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
    )
    assert run("%{c}", ctx) == "2001:db8::cb01"
    assert run("%{v}", ctx) == "ip6"


def test_upper_case_url_escapes() -> None:
    ctx = MacroContext(RFC_CTX.ip, "~jack&jill=up-a_b3.c@e8.example.com", "e8.example.com")
    assert run("%{L}", ctx) == "~jack%26jill%3Dup-a_b3.c"
    assert run("%{l}", ctx) == "~jack&jill=up-a_b3.c"
    assert run("%{S}", RFC_CTX) == "strong-bad%40email.example.com"
    assert url_escape("a b/é") == "a%20b%2F%C3%A9"


def test_transform_rules() -> None:
    assert transform("a.b.c", None, False, "") == "a.b.c"
    assert transform("a.b.c", 10, False, "") == "a.b.c"
    assert transform("a-b+c.d", None, True, "+-") == "c.d.b.a"  # "." is not a delimiter here
    assert transform("a-b+c.d", None, True, "+-.") == "d.c.b.a"
    assert transform("foo-bar+zip+quux", 2, True, "+-") == "bar.foo"


def test_postmaster_default_and_bare_domain() -> None:
    assert split_sender("@example.net") == ("postmaster", "example.net")
    assert split_sender("example.net") == ("postmaster", "example.net")
    assert split_sender("a@b@example.net") == ("a@b", "example.net")
    ctx = MacroContext(RFC_CTX.ip, "@example.net", "example.net")
    assert run("%{l}", ctx) == "postmaster"
    assert run("%{s}", ctx) == "postmaster@example.net"


def test_validated_name_is_asked_with_the_current_domain() -> None:
    asked: list[str] = []

    async def lookup(domain: str) -> str:
        asked.append(domain)
        return "mx.example.com"

    text = parse_macro_string("%{p}.%{P}")
    assert asyncio.run(expand(text, RFC_CTX, validated_name=lookup)) == (
        "mx.example.com.mx.example.com"
    )
    assert asked == ["email.example.com", "email.example.com"]


def test_truncation_drops_left_labels() -> None:
    long = ".".join([f"label{i:02d}" for i in range(40)]) + ".example.com"
    cut = truncate_domain(long)
    assert len(cut) <= 253
    assert long.endswith(cut)
    assert not cut.startswith(".")
    assert truncate_domain("example.com.") == "example.com"
    ctx = MacroContext(RFC_CTX.ip, "x@somewhat.long.exp.example.com",
                       "somewhat.long.exp.example.com")
    spec = parse_macro_string("foobar." + "%{o}." * 8 + "example.com")
    name = asyncio.run(expand_domain(spec, ctx))
    assert name == ("somewhat.long.exp.example.com." * 8) + "example.com"
    assert len(name) <= 253


def test_valid_target() -> None:
    assert is_valid_target("a." * 100 + "com")
    assert not is_valid_target("a" * 64 + ".com")
    assert not is_valid_target("mail.example...com")
    assert not is_valid_target("")
    assert not is_valid_target("a." * 127 + "com")


def test_ip_forms() -> None:
    assert normalize_ip("::ffff:192.0.2.1") == ipaddress.ip_address("192.0.2.1")
    assert dotted_ip(ipaddress.ip_address("192.0.2.1")) == "192.0.2.1"
    assert dotted_ip(ipaddress.ip_address("::1")).endswith(".1")
    assert len(dotted_ip(ipaddress.ip_address("::1")).split(".")) == 32
    with pytest.raises(ValueError):
        normalize_ip("1.2.3")


def test_explain_string() -> None:
    text = "%{c} is not allowed for %{d}; see http://example.com/?s=%{S} at %{t}"
    macro = parse_explain_string(text)
    out = asyncio.run(expand(macro, RFC_CTX))
    assert out == ("192.0.2.3 is not allowed for email.example.com; see "
                   "http://example.com/?s=strong-bad%40email.example.com at 1700000000")
    for bad in ("The %{x}-files.", "100%", "\xefbad", "%{d0}", "tab\there"):
        with pytest.raises(SpfSyntaxError):
            parse_explain_string(bad)
