"""Macro expansion for SPF domain-specs and explanation strings (RFC 7208 §7)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ._fastparse import EXPLAIN_STRING
from .ast import MacroEscape, MacroExpand, MacroLiteral, MacroString
from .errors import SpfSyntaxError
from .parser import Problem, parse_macro_string

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_DOMAIN = 253  # §7.3: expanded names are cut to this many octets (no trailing dot)
MAX_LABEL = 63

# Letters the evaluator knows; c, r and t are meaningful only in explanation text (§7.2).
DOMAIN_LETTERS = frozenset("slodiphv")

# RFC 3986 §2.3 unreserved characters: everything else is %XX-escaped by upper-case macros.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

# explain-string = *( macro-string / SP )  (§7.1)
_EXPLAIN_STRING = EXPLAIN_STRING

# Given the current <domain>, the value of %{p}: a validated name of <ip>, or "unknown".
ValidatedName = Callable[[str], Awaitable[str]]


def normalize_ip(ip: str | IPAddress) -> IPAddress:
    """The address SPF evaluates: IPv4-mapped IPv6 (``::ffff:a.b.c.d``) becomes IPv4 (§5).

    :raises ValueError: the text is not an IP address, or an IPv6 address with a zone index
        (``fe80::1%eth0``: a zone names a local interface, which no mail server's address has).
    """
    address = ipaddress.ip_address(ip.strip() if isinstance(ip, str) else ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            raise ValueError(f"{address} has a zone index")
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def split_sender(sender: str) -> tuple[str, str]:
    """``(local-part, domain)`` of a sender; no or empty local-part gives ``postmaster`` (§4.3)."""
    local, at, domain = sender.rpartition("@")
    if not at:
        return "postmaster", sender
    return (local or "postmaster"), domain


@dataclass(frozen=True)
class MacroContext:
    """The values macro letters stand for while evaluating one record."""

    ip: IPAddress
    sender: str  # the full <sender>; see split_sender for the local-part rule
    domain: str  # the current <domain> (%{d})
    helo: str | None = None
    receiver: str = "unknown"  # %{r}, the receiving host (explanations only)
    timestamp: int = 0  # %{t}, seconds since the epoch (explanations only)

    @property
    def local_part(self) -> str:
        return split_sender(self.sender)[0]

    @property
    def sender_domain(self) -> str:
        return split_sender(self.sender)[1]


def dotted_ip(ip: IPAddress) -> str:
    """%{i}: dotted quad for IPv4; 32 dot-separated lower-case nibbles for IPv6 (§7.3)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    return ".".join(ip.exploded.replace(":", ""))


def letter_value(letter: str, ctx: MacroContext) -> str:
    """The raw value of a macro letter other than ``p`` (which needs DNS)."""
    if letter == "s":
        local, domain = split_sender(ctx.sender)
        return f"{local}@{domain}"
    if letter == "l":
        return ctx.local_part
    if letter == "o":
        return ctx.sender_domain
    if letter == "d":
        return ctx.domain
    if letter == "i":
        return dotted_ip(ctx.ip)
    if letter == "v":
        return "in-addr" if ctx.ip.version == 4 else "ip6"
    if letter == "h":
        return ctx.helo if ctx.helo else "unknown"
    if letter == "c":
        return str(ctx.ip)  # IPv6 in RFC 5952 compressed form
    if letter == "r":
        return ctx.receiver or "unknown"
    if letter == "t":
        return str(ctx.timestamp)
    raise ValueError(f"unknown macro letter {letter!r}")


def transform(value: str, digits: int | None, reverse: bool, delimiters: str) -> str:
    """Split on the delimiters (default "."), maybe reverse, keep the right-hand parts (§7.3)."""
    separators = delimiters or "."
    parts = re.split("[" + re.escape(separators) + "]", value)
    if reverse:
        parts.reverse()
    if digits is not None and digits < len(parts):
        parts = parts[len(parts) - digits :]
    return ".".join(parts)


def url_escape(text: str) -> str:
    """Escape every octet outside RFC 3986's unreserved set as upper-case ``%XX``."""
    out: list[str] = []
    for char in text:
        if char in _UNRESERVED:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


async def expand(
    macro: MacroString,
    ctx: MacroContext,
    *,
    validated_name: ValidatedName | None = None,
) -> str:
    """Expand a macro string; ``%{p}`` asks ``validated_name`` (``unknown`` without one)."""
    out: list[str] = []
    for part in macro.parts:
        if isinstance(part, MacroLiteral):
            out.append(part.text)
        elif isinstance(part, MacroEscape):
            out.append(part.value)
        else:
            out.append(await _expand_one(part, ctx, validated_name))
    return "".join(out)


async def _expand_one(
    part: MacroExpand, ctx: MacroContext, validated_name: ValidatedName | None
) -> str:
    if part.letter == "p":
        value = await validated_name(ctx.domain) if validated_name is not None else "unknown"
    else:
        value = letter_value(part.letter, ctx)
    value = transform(value, part.digits, part.reverse, part.delimiters)
    return url_escape(value) if part.url_escape else value


def truncate_domain(name: str) -> str:
    """Drop one trailing dot, then whole left-hand labels until at most 253 octets (§7.3)."""
    if name.endswith("."):
        name = name[:-1]
    while len(name.encode("utf-8")) > MAX_DOMAIN and "." in name:
        name = name.split(".", 1)[1]
    return name


async def expand_domain(
    macro: MacroString,
    ctx: MacroContext,
    *,
    validated_name: ValidatedName | None = None,
) -> str:
    """Expand a domain-spec into the name to query (trailing dot dropped, cut to 253 octets)."""
    return truncate_domain(await expand(macro, ctx, validated_name=validated_name))


def is_valid_target(name: str) -> bool:
    """Whether a name can be queried: 1-63 octets per label, at most 253 in all."""
    if not name or len(name.encode("utf-8")) > MAX_DOMAIN:
        return False
    return all(0 < len(label.encode("utf-8")) <= MAX_LABEL for label in name.split("."))


def parse_explain_string(text: str) -> MacroString:
    """Parse the TXT text an ``exp=`` names (an explain-string, §6.2, §7.1).

    :raises SpfSyntaxError: characters outside printable ASCII and space, a ``%`` not starting
        a valid macro, or a macro keeping zero parts.
    """
    match = _EXPLAIN_STRING.match(text)
    assert match is not None  # the pattern accepts the empty string
    if match.end() != len(text):
        at = match.end()
        raise SpfSyntaxError(
            [Problem("SPF107", f"invalid explanation text at {text[at:at + 10]!r}", at, at + 1)],
            text,
        )
    macro = parse_macro_string(text)
    for part in macro.parts:
        if isinstance(part, MacroExpand) and part.digits == 0:
            raise SpfSyntaxError(
                [Problem("SPF107", f"macro '{part.render()}' keeps zero parts",
                         part.span.start, part.span.end)],
                text,
            )
    return macro
