"""Domain-name helpers: normalisation, IDNA, conversion to dnspython names, nameserver parsing."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import TYPE_CHECKING

from spflint.errors import InputError

if TYPE_CHECKING:
    import dns.name

# dnspython is imported where it is needed (IDNA, wire names): ASCII names, which are nearly
# all of them, are normalised without it, so linting a record never loads it.

MAX_LABEL = 63
MAX_NAME = 253  # presentation length without the final dot; 255 octets on the wire


def _codec() -> dns.name.IDNACodec:
    import dns.name

    try:
        dns.name.IDNA_2008_Practical.encode("a")
    except dns.name.NoIDNA2008:  # the optional idna package is missing
        return dns.name.IDNA_2003_Practical
    return dns.name.IDNA_2008_Practical


def normalize(name: str) -> str:
    """Return ``name`` lower-case, without one trailing dot, non-ASCII labels IDNA-encoded.

    :raises InputError: for an empty name or label, a label over 63 octets, a name over 253.
    """
    text = name.strip()
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise InputError(f"invalid domain name {name!r}: the name is empty")
    labels: list[str] = []
    for label in text.split("."):
        if not label:
            raise InputError(f"invalid domain name {name!r}: empty label")
        if not label.isascii():
            import dns.exception

            try:
                label = _codec().encode(label).decode("ascii")
            except dns.exception.DNSException as exc:
                raise InputError(
                    f"invalid domain name {name!r}: label {label!r} is not valid IDNA ({exc})"
                ) from exc
        if len(label) > MAX_LABEL:
            raise InputError(
                f"invalid domain name {name!r}: label {label[:20]!r}... is {len(label)} octets"
                f" (at most {MAX_LABEL})"
            )
        labels.append(label.lower())
    result = ".".join(labels)
    if len(result) > MAX_NAME:
        raise InputError(
            f"invalid domain name {name[:40]!r}...: {len(result)} octets (at most {MAX_NAME})"
        )
    return result


def canonical(name: str) -> str:
    """The one comparable form of any name text: :func:`normalize` where the name is valid,
    else the same shape by hand (stripped, no final dot, lower case), so an invalid name
    can still be reported and compared."""
    try:
        return normalize(name)
    except InputError:
        return name.strip().rstrip(".").lower()


def to_unicode(name: str) -> str:
    """Return the display form of ``name``: A-labels decoded to Unicode where valid."""
    labels = []
    for label in name.rstrip(".").split("."):
        if label.lower().startswith("xn--"):
            import dns.exception

            with contextlib.suppress(dns.exception.DNSException, UnicodeError):
                label = _codec().decode(label.encode("ascii"))
        labels.append(label)
    return ".".join(labels)


def to_dns_name(name: str) -> dns.name.Name:
    """Return the absolute dnspython name for a normalised ``name`` (no escape processing)."""
    import dns.name

    if not name:
        return dns.name.root
    return dns.name.Name([label.encode("latin-1") for label in name.split(".")] + [b""])


def from_dns_name(name: dns.name.Name) -> str:
    """Return a dnspython name as spflint text: lower-case, no final dot, no escapes."""
    labels = [label.decode("latin-1") for label in name.labels if label]
    return ".".join(labels).lower()


def parse_nameserver(text: str) -> tuple[str, int]:
    """Parse ``IP[:PORT]`` (IPv6 as ``[::1]:53`` or bare ``::1``) into ``(ip, port)``.

    :raises InputError: when the address is not an IP address or the port is not 1-65535.
    """
    spec = text.strip()
    host, port_text = spec, ""
    if spec.startswith("["):
        end = spec.find("]")
        if end < 0:
            raise InputError(f"invalid nameserver {text!r}: missing ']'")
        host, rest = spec[1:end], spec[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InputError(f"invalid nameserver {text!r}: expected ':PORT' after ']'")
            port_text = rest[1:]
    elif spec.count(":") == 1:
        host, port_text = spec.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InputError(
            f"invalid nameserver {text!r}: {host!r} is not an IP address (use IP[:PORT])"
        ) from None
    port = 53
    if port_text or spec.endswith(":"):
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise InputError(f"invalid nameserver {text!r}: port must be a number 1-65535")
        port = int(port_text)
    return str(address), port
