"""The bundled demo domain: zone data shipped in the package, used offline by ``--demo``."""

from __future__ import annotations

import dataclasses
import ipaddress
from pathlib import Path

from .options import CoverageSettings, DNSSettings

DEMO_DOMAIN = "fabrikam.example"
DEMO_IP = "203.0.113.25"  # the relay printer's address in the demo story


def demo_file() -> Path:
    """The bundled demo zone data (importlib.resources is loaded only for a demo run)."""
    from importlib import resources

    return Path(str(resources.files("spflint") / "data" / "demo.yml"))


def with_demo(dns: DNSSettings, coverage: CoverageSettings
              ) -> tuple[DNSSettings, CoverageSettings]:
    """DNS settings answering from the demo data only, and the printer's IP as ``--ip``."""
    # replace() keeps the run's start time, from which --timeout counts.
    dns = dataclasses.replace(dns, dns_data=(demo_file(), *dns.dns_data), offline=True)
    if not coverage.ips:
        coverage = CoverageSettings((ipaddress.ip_address(DEMO_IP),), coverage.require,
                                    coverage.profile)
    return dns, coverage
