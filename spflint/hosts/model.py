"""Value types shared by the host registry, detection and instruction renderers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..txt import MAX_STRING

MAX_STRING_OCTETS = MAX_STRING  # one character-string (RFC 1035 §3.3), as the hosts name it


class Kind(str, enum.Enum):
    """Where the record is edited: a provider's web UI, a file, or a command line."""

    DNS_HOST = "dns-host"
    FILE = "file"
    COMMAND = "command"

    def __str__(self) -> str:
        return self.value


class Apex(str, enum.Enum):
    """What to write in the name field for the zone apex."""

    AT = "@"
    BLANK = "blank"  # leave the field empty
    FQDN = "fqdn"  # the full name with a trailing dot
    NAME = "name"  # the full name without a trailing dot
    EMPTY_KEY = "''"  # octoDNS: the empty string as a YAML key

    def __str__(self) -> str:
        return self.value


class Quoting(str, enum.Enum):
    """How the value field treats double quotes."""

    QUOTE_EACH = "quote-each"  # the user types every character-string in "..."
    NO_QUOTES = "no-quotes"  # the user types the plain text; quotes are added or rejected
    JOINS_UNQUOTED = "joins-unquoted"  # separate unquoted tokens are joined without spaces

    def __str__(self) -> str:
        return self.value


class Splitting(str, enum.Enum):
    """Who cuts a value longer than 255 octets into character-strings."""

    USER = "user"
    HOST = "host"

    def __str__(self) -> str:
        return self.value


class HostFormatError(InputError):
    """A record that cannot be written in a host's value format (or did not round-trip)."""


@dataclass(frozen=True)
class Host:
    """Everything spflint knows about editing a TXT record at one DNS host or target.

    Facts listed in ``unconfirmed`` come from convention or a single non-authoritative
    source; renderers repeat them to the user so they can be checked.
    """

    key: str
    name: str
    kind: Kind
    value_format: str  # the renderer/parser in spflint.hosts.formats
    apex: Apex
    quoting: Quoting
    splitting: Splitting
    ns_patterns: tuple[str, ...] = ()
    ns_notes: tuple[tuple[str, str], ...] = ()  # (pattern, what a match on it means)
    max_string_octets: int = MAX_STRING_OCTETS
    max_value_octets: int | None = None  # cap on the whole record text, when the host has one
    value_cap_note: str = ""
    default_ttl: int | None = None  # seconds; None when unknown or automatic
    ttl_label: str = ""  # how the host shows its default TTL ("Auto", "1 hour")
    min_ttl: int | None = None
    ui_path: tuple[str, ...] = ()
    type_field: str = "Type"
    type_value: str = "TXT"
    name_field: str = "Name"
    value_field: str = "Value"
    ttl_field: str = "TTL"
    rejects: tuple[str, ...] = ()  # "quote", "backslash", "trailing-space", "non-ascii", ...
    one_rrset: bool = False  # every TXT value at a name is one set edited together
    notes: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def apex_text(self) -> str:
        """How the apex reads in prose."""
        if self.apex is Apex.BLANK:
            return "(leave empty)"
        if self.apex is Apex.FQDN:
            return "the full name with a trailing dot"
        if self.apex is Apex.NAME:
            return "the full name"
        return str(self.apex)

    def to_dict(self) -> dict[str, Any]:
        """The registry entry as JSON."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": str(self.kind),
            "apex": str(self.apex),
            "quoting": str(self.quoting),
            "splitting": str(self.splitting),
            "ns_patterns": list(self.ns_patterns),
            "max_string_octets": self.max_string_octets,
            "max_value_octets": self.max_value_octets,
            "default_ttl": self.default_ttl,
            "ui_path": list(self.ui_path),
            "fields": {"type": self.type_field, "name": self.name_field,
                       "value": self.value_field, "ttl": self.ttl_field},
            "notes": list(self.notes),
            "unconfirmed": list(self.unconfirmed),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class PublishedRecord:
    """One TXT record to publish: its owner name, its text, and its character-strings.

    ``value`` is the record text as SPF sees it (the strings concatenated, RFC 7208 §3.3).
    """

    name: str  # FQDN, no trailing dot; "" for a record fixed without its domain
    value: str
    strings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.strings:
            size = MAX_STRING_OCTETS
            chunks = [self.value[i:i + size] for i in range(0, len(self.value), size)]
            object.__setattr__(self, "strings", chunks or [""])
        if "".join(self.strings) != self.value:
            raise ValueError(f"{self.name}: the strings do not concatenate to the value")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name or None, "value": self.value, "strings": list(self.strings)}
