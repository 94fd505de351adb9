"""Zone data for the DNS benchmarks: a domain whose SPF tree costs exactly 10 lookups.

``example.com`` publishes a static address, ``mx``, and includes Microsoft 365, Google
Workspace (three nested netblock records), SendGrid, Mailchimp, Zendesk and Amazon SES. The
provider records are modelled on what those providers publish (shape, term mix, length); the
ranges are realistic public ranges of each provider's kind, the customer's own addresses are
documentation ranges. The apex SPF record is split into two strings, and the apex TXT answer
(SPF plus the usual verification tokens) is larger than 512 bytes, so plain UDP truncates.
"""

from __future__ import annotations

import ipaddress

from spflint.dns.base import NameData, RecordValue, ZoneData

DOMAIN = "example.com"
SENDER = f"bounce@{DOMAIN}"
HELO = "mail.sender.example"
LOOKUPS = 10  # the DNS-querying terms in the whole tree (RFC 7208 §4.6.4)

APEX_SPF = (
    b"v=spf1 ip4:192.0.2.10 mx include:spf.protection.outlook.com include:_spf.google.com ",
    b"include:sendgrid.net include:servers.mcsv.net include:mail.zendesk.com "
    b"include:amazonses.com -all",
)

PROVIDERS: dict[str, str] = {
    "spf.protection.outlook.com": (
        "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 "
        "ip4:52.103.0.0/17 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 "
        "ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 "
        "-all"
    ),
    "_spf.google.com": (
        "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
        "include:_netblocks3.google.com ~all"
    ),
    "_netblocks.google.com": (
        "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ip4:66.249.80.0/20 "
        "ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 "
        "ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all"
    ),
    "_netblocks2.google.com": (
        "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 "
        "ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"
    ),
    "_netblocks3.google.com": (
        "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ip4:172.217.128.0/19 "
        "ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 ip4:172.253.112.0/20 "
        "ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all"
    ),
    "sendgrid.net": (
        "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 "
        "ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 ip4:149.72.0.0/16 "
        "ip4:159.183.0.0/16 ip4:223.165.113.0/24 ~all"
    ),
    "servers.mcsv.net": (
        "v=spf1 ip4:205.201.128.0/20 ip4:198.2.128.0/18 ip4:148.105.8.0/21 -all"
    ),
    "mail.zendesk.com": (
        "v=spf1 ip4:192.161.144.0/20 ip4:185.12.80.0/22 ip4:188.172.128.0/20 "
        "ip4:216.198.0.0/18 ~all"
    ),
    "amazonses.com": (
        "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 "
        "ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 "
        "ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:52.82.172.0/22 -all"
    ),
}

# Verification tokens that real apexes carry next to SPF; they make the TXT answer large.
APEX_OTHER_TXT = (
    "google-site-verification=Xq3vJ8kLmN2pR5sT7uW9yA1bC4dE6fG8hI0jK2lM4nO",
    "MS=ms48291735",
    "facebook-domain-verification=k2j4h6g8f0d2s4a6p8o0i2u4y6t8r0",
    "atlassian-domain-verification=Zb7Yc6Xd5We4Vf3Ug2Th1Si0Rj9Qk8Pl7Om6Nn5Mo4Lp3Kq2Jr1Is0Ht9Gu8",
    "docusign=4f0c8a1e-2b7d-4e3a-9c6f-1d2e3f4a5b6c",
    "apple-domain-verification=AbCdEfGhIjKlMnOp",
    "adobe-idp-site-verification=8d2b5e1f9c3a7d4b6e0f2a8c1d5e9b3f7a4c6e2d0b8f1a5c3e7d9b2f4a6c8e0d",
)

MX_HOSTS = (("mx1." + DOMAIN, "192.0.2.25"), ("mx2." + DOMAIN, "198.51.100.25"))

# Clients that stop at different depths of the tree: (label, address, expected result).
CLIENTS: tuple[tuple[str, str, str], ...] = (
    ("static ip4 (first term)", "192.0.2.10", "pass"),
    ("Google _netblocks3 (middle)", "172.217.34.5", "pass"),
    ("Amazon SES (last include)", "54.240.10.20", "pass"),
    ("no match (whole tree, -all)", "203.0.113.77", "fail"),
)


def zonedata() -> ZoneData:
    """The benchmark zone: ``example.com``, its MX hosts and the provider records."""
    names: dict[str, NameData] = {}

    def add(name: str, rdtype: str, value: RecordValue) -> None:
        names.setdefault(name, NameData()).records.append((rdtype, value))

    add(DOMAIN, "TXT", APEX_SPF)
    for token in APEX_OTHER_TXT:
        add(DOMAIN, "TXT", (token.encode(),))
    for preference, (host, address) in enumerate(MX_HOSTS, start=1):
        add(DOMAIN, "MX", (preference * 10, host))
        add(host, "A", address)
    for name, text in PROVIDERS.items():
        add(name, "TXT", (text.encode(),))
    return ZoneData(names=names, source="bench/zones.py")


def provider_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 range the tree authorises (for drawing passing client addresses)."""
    nets = [ipaddress.IPv4Network("192.0.2.10/32")]
    nets += [ipaddress.IPv4Network(a + "/32") for _, a in MX_HOSTS]
    for text in PROVIDERS.values():
        for term in text.split():
            if term.startswith("ip4:"):
                nets.append(ipaddress.IPv4Network(term[4:]))
    return nets


def apex_txt_size() -> int:
    """Bytes of RDATA in the apex TXT answer (each string plus its length octet)."""
    strings = list(APEX_SPF) + [t.encode() for t in APEX_OTHER_TXT]
    return sum(len(s) + 1 for s in strings)
