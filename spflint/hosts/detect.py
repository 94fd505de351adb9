"""Which DNS host serves a domain, from the NS records of its zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dns.base import Outcome, Resolver
from ..dns.names import canonical, normalize
from ..errors import DNSFailure
from . import registry
from .model import Host
from .targets import BIND

REGISTRAR_NOTE = ("The nameservers name the DNS host, where records are edited; it may differ "
                  "from the registrar where the domain was bought.")


@dataclass(frozen=True)
class Detection:
    """The DNS host(s) a zone's nameservers point to.

    When no nameserver is recognised, ``hosts`` holds the generic zone-file target and
    ``matched`` is False.
    """

    hosts: list[Host]
    ns: list[str]
    ambiguous: bool
    reason: str
    zone: str = ""  # the name where the NS records were found (the zone apex)
    matched: bool = True
    patterns: dict[str, list[str]] = field(default_factory=dict)  # host key -> patterns hit

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "ns": list(self.ns),
            "hosts": [host.key for host in self.hosts],
            "matched": self.matched,
            "ambiguous": self.ambiguous,
            "reason": self.reason,
            "patterns": {key: list(value) for key, value in self.patterns.items()},
        }


def _parent(name: str) -> str | None:
    labels = name.split(".")
    # Stop above the registrable part: a TLD's nameservers say nothing about the DNS host.
    return ".".join(labels[1:]) if len(labels) > 2 else None


async def find_ns(domain: str, resolver: Resolver) -> tuple[str, list[str]]:
    """The zone apex at or above ``domain`` and its nameservers (``("", [])`` when none).

    :raises DNSFailure: a lookup timed out or failed, so the walk cannot be trusted.
    :raises InputError: ``domain`` is not a valid name.
    """
    name: str | None = normalize(domain)
    while name is not None:
        answer = await resolver.query(name, "NS")
        if answer.outcome is Outcome.OK:
            servers = sorted({canonical(str(r)) for r in answer.records
                              if isinstance(r, str)})
            if servers:
                return name, servers
        elif answer.outcome.is_failure:
            detail = f": {answer.detail}" if answer.detail else ""
            raise DNSFailure(f"NS lookup for {name} failed ({answer.outcome.value}{detail})")
        name = _parent(name)
    return "", []


def classify(ns: list[str], zone: str = "") -> Detection:
    """Map nameserver names to hosts with the registry's suffix patterns."""
    found: dict[str, Host] = {}
    patterns: dict[str, list[str]] = {}
    unknown: list[str] = []
    notes: list[str] = []
    for server in ns:
        hits = list(registry.match_nameserver(server))
        if not hits:
            unknown.append(server)
        for host, pattern in hits:
            found.setdefault(host.key, host)
            if pattern not in patterns.setdefault(host.key, []):
                patterns[host.key].append(pattern)
                note = registry.ns_note(host, pattern)
                if note and note not in notes:
                    notes.append(note)
    order = {host.key: i for i, host in enumerate(registry.hosts())}
    hosts = sorted(found.values(), key=lambda h: order[h.key])
    where = f" for {zone}" if zone else ""
    if not ns:
        return Detection([BIND], [], False, f"no NS records found{where}; showing generic "
                         "zone-file guidance", zone, False, {})
    listed = ", ".join(ns)
    if not hosts:
        reason = (f"the nameservers{where} ({listed}) are not in spflint's host registry; "
                  "showing generic zone-file guidance")
        return Detection([BIND], list(ns), False, reason + ". " + REGISTRAR_NOTE, zone, False,
                         {})
    names = " and ".join(host.name for host in hosts)
    shared = {p for key in patterns for p in patterns[key]}
    if len(hosts) == 1:
        pats = ", ".join("*." + p for p in patterns[hosts[0].key])
        reason = f"the nameservers{where} ({listed}) belong to {names} (matched {pats})"
    elif len(shared) < sum(len(v) for v in patterns.values()):
        reason = (f"the nameservers{where} ({listed}) are used by {names}: check which one "
                  "you manage the zone with")
    else:
        reason = (f"the nameservers{where} ({listed}) belong to several hosts ({names}): "
                  "edit the record where the primary copy of the zone is kept")
    if unknown:
        reason += f"; not recognised: {', '.join(unknown)}"
    text = ". ".join([reason, *notes, REGISTRAR_NOTE])
    return Detection(hosts, list(ns), len(hosts) > 1, text, zone, True, patterns)


async def detect(domain: str, resolver: Resolver) -> Detection:
    """Read the NS records of ``domain``'s zone (walking up to the apex) and map them.

    :raises DNSFailure: an NS lookup failed.
    :raises InputError: ``domain`` is not a valid name.
    """
    zone, ns = await find_ns(domain, resolver)
    return classify(ns, zone or normalize(domain))
