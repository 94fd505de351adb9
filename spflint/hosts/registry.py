"""The registry of DNS hosts and targets, and nameserver-pattern matching."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from ..errors import InputError
from .model import Host, Kind
from .providers import HOSTS
from .targets import TARGETS

ALL: tuple[Host, ...] = HOSTS + TARGETS

# Other names people type for a host.
ALIASES: dict[str, str] = {
    "aws": "route53",
    "route-53": "route53",
    "azure-dns": "azure",
    "gcp": "google-cloud-dns",
    "cloud-dns": "google-cloud-dns",
    "google-domains": "squarespace",
    "do": "digitalocean",
    "ovhcloud": "ovh",
    "1and1": "ionos",
    "name.com": "namecom",
    "nsone": "ns1",
    "zonefile": "bind",
    "zone-file": "bind",
    "route53-cli": "aws-cli",
    "azure-cli": "az-cli",
    "gcloud-cli": "gcloud",
}

# Public suffixes of more than one label that occur in nameserver names; a suffix list is
# needed so that "awsdns-01.co.uk" counts as the registrable part, not "co.uk".
MULTI_LABEL_SUFFIXES = frozenset({
    "co.uk", "org.uk", "ac.uk", "com.au", "net.au", "co.nz", "co.jp", "com.br", "com.cn",
    "co.za", "com.mx", "com.tr", "co.in", "co.kr",
})


def registrable(name: str) -> str:
    """The registrable domain of ``name``: one label below its public suffix."""
    labels = name.strip().rstrip(".").lower().split(".")
    take = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES else 2
    return ".".join(labels[-take:])


def pattern_matches(pattern: str, nameserver: str) -> bool:
    """Whether ``nameserver`` lies strictly below ``pattern``, label by label.

    Each pattern label is a glob (``awsdns-*``) matched against exactly one label, so
    ``name.com`` matches ``ns1abc.name.com`` but not ``ns1.domainname.com``.
    """
    want = pattern.lower().split(".")
    have = nameserver.strip().rstrip(".").lower().split(".")
    if len(have) <= len(want):
        return False
    return all(fnmatch.fnmatchcase(label, glob)
               for label, glob in zip(have[-len(want):], want, strict=True))


def hosts() -> tuple[Host, ...]:
    """Every host and target, managed hosts first."""
    return ALL


def by_kind(kind: Kind) -> list[Host]:
    return [host for host in ALL if host.kind is kind]


def get(key: str) -> Host:
    """The host registered as ``key`` (or an alias), case-insensitive.

    :raises InputError: no such host; the message lists the keys.
    """
    wanted = key.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    for host in ALL:
        if host.key == wanted:
            return host
    from ..suggest import close_matches, did_you_mean

    found = close_matches(wanted, [*(host.key for host in ALL), *ALIASES])
    close = list(dict.fromkeys(ALIASES.get(name, name) for name in found))
    if close:
        raise InputError(f"unknown DNS host '{key}'{did_you_mean(close)} "
                         "('spflint hosts' lists them all)")
    keys = ", ".join(host.key for host in ALL)
    raise InputError(f"unknown DNS host '{key}' (known: {keys})")


def match_nameserver(nameserver: str) -> Iterator[tuple[Host, str]]:
    """Every managed host with a pattern that matches ``nameserver``, with the pattern."""
    for host in HOSTS:
        for pattern in host.ns_patterns:
            if pattern_matches(pattern, nameserver):
                yield host, pattern
                break


def ns_note(host: Host, pattern: str) -> str | None:
    for noted, note in host.ns_notes:
        if noted == pattern:
            return note
    return None
