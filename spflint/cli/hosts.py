"""``spflint hosts``: the DNS-host registry, one host's facts, or the host serving a domain."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from ..hosts import registry
from ..hosts.detect import Detection, detect
from ..hosts.model import Host
from ..report.base import Report
from .common import emit, global_settings
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver


def _detect(domain: str, dns: DNSSettings) -> Detection:
    resolver = make_resolver(dns)

    async def run() -> Detection:
        remaining = dns.remaining()
        if remaining is None:
            return await detect(domain, resolver)
        try:
            return await asyncio.wait_for(detect(domain, resolver), remaining)
        except asyncio.TimeoutError:
            from ..errors import DNSFailure

            raise DNSFailure(f"NS lookups for {domain} took longer than {dns.timeout:g} s") \
                from None

    return asyncio.run(run())


def _flag(host: Host) -> str:
    return "*" if host.unconfirmed else " "


def list_lines() -> list[str]:
    """One line per host: key, kind, apex, quoting, splitting, name."""
    short = {"blank": "(blank)", "fqdn": "name.", "name": "name"}
    rows = [(h.key, str(h.kind), short.get(h.apex.value, h.apex.value),
             str(h.quoting), str(h.splitting), _flag(h) + h.name) for h in registry.hosts()]
    head = ("KEY", "KIND", "APEX", "QUOTING", "SPLITS", " NAME")
    widths = [max(len(r[i]) for r in [*rows, head]) for i in range(5)]
    out = []
    for row in [head, *rows]:
        out.append("  ".join(f"{row[i]:<{widths[i]}}" for i in range(5)) + "  " + row[5])
    out.append("")
    out.append("* some facts about this host are unconfirmed: spflint hosts KEY lists them.")
    return out


def host_lines(host: Host) -> list[str]:
    """Everything the registry knows about one host."""
    out = [f"{host.name} ({host.key}, {host.kind})", ""]
    facts: list[tuple[str, Any]] = [
        ("Apex name", host.apex_text),
        ("Quoting", str(host.quoting)),
        ("Splits >255 octets", str(host.splitting)),
        ("Max value", f"{host.max_value_octets} ({host.value_cap_note})"
         if host.max_value_octets else "none known"),
        ("Default TTL", host.ttl_label or (str(host.default_ttl) if host.default_ttl
                                           else "unknown")),
        ("Where", " → ".join(host.ui_path) if host.ui_path else "-"),
        ("Fields", f"{host.type_field} = {host.type_value}, {host.name_field}, "
                   f"{host.value_field}, {host.ttl_field}" if host.kind.value == "dns-host"
         else "-"),
        ("Nameservers", ", ".join("*." + p for p in host.ns_patterns) or "-"),
    ]
    width = max(len(k) for k, _ in facts)
    out += [f"  {k + ':':<{width + 1}}  {v}" for k, v in facts]
    for title, items in (("Notes", host.notes), ("Unconfirmed", host.unconfirmed),
                         ("Sources", host.sources)):
        if items:
            out += ["", f"{title}:"] + [f"  - {item}" for item in items]
    return out


def detection_lines(found: Detection) -> list[str]:
    out = [f"Zone: {found.zone}", "Nameservers: " + (", ".join(found.ns) or "none")]
    label = "DNS host" if found.matched else "Guidance"
    out.append(f"{label}: " + ", ".join(f"{h.name} ({h.key})" for h in found.hosts)
               + (" (ambiguous)" if found.ambiguous else ""))
    out.append(f"Why: {found.reason}")
    keys = " or ".join(f"--host {h.key}" for h in found.hosts)
    out.append(f"Instructions: spflint fix {found.zone} {keys}")
    return out


@click.command()
@click.argument("key", required=False, metavar="[HOST]")
@click.option("--detect", "domain", metavar="DOMAIN",
              help="Find the DNS host of DOMAIN from its zone's NS records.")
@dns_options
@format_options
@click.pass_context
def hosts(ctx: click.Context, key: str | None, domain: str | None, dns: DNSSettings,
          fmt: FormatSettings) -> None:
    """List the DNS hosts and tools spflint writes instructions for, show one HOST's
    facts, or detect the host serving a domain.

    \b
    Examples:
      spflint hosts
      spflint hosts cloudflare
      spflint hosts --detect example.com --format json
    """
    data: dict[str, Any]
    if domain is not None:
        found = _detect(domain, dns)
        data = {"detection": found.to_dict(),
                "hosts": [h.to_dict() for h in found.hosts]}
        lines = detection_lines(found)
    elif key is not None:
        host = registry.get(key)
        data = {"hosts": [host.to_dict()]}
        lines = host_lines(host)
    else:
        data = {"hosts": [h.to_dict() for h in registry.hosts()]}
        lines = list_lines()
    # The same formats as every command (no findings here: sarif and github carry none).
    report = Report(command="hosts", data=data, text_body=lines, summary=False)
    emit(report, fmt.format, global_settings(ctx).color)
