"""The bundled demo domain: zone data shipped in the package, used offline by ``--demo``."""

from __future__ import annotations

import ipaddress
from importlib import resources
from pathlib import Path

from .options import CoverageSettings, DNSSettings

DEMO_DOMAIN = "fabrikam.example"
DEMO_IP = "203.0.113.25"  # the relay printer's address in the demo story


def demo_file() -> Path:
    return Path(str(resources.files("spflint") / "data" / "demo.yml"))


def with_demo(dns: DNSSettings, coverage: CoverageSettings
              ) -> tuple[DNSSettings, CoverageSettings]:
    """DNS settings answering from the demo data only, and the printer's IP as ``--ip``."""
    dns = DNSSettings(dns.nameservers, dns.timeout, (demo_file(), *dns.dns_data), True)
    if not coverage.ips:
        coverage = CoverageSettings((ipaddress.ip_address(DEMO_IP),), coverage.require,
                                    coverage.profile)
    return dns, coverage
