"""Microsoft 365 SMTP relay: smart host from MX, device settings, connector, error codes."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dns.base import Outcome, Resolver
from .dns.names import canonical, normalize
from .errors import DNSFailure, InputError, SpflintError, UnknownAnswerError

if TYPE_CHECKING:
    from .config import Config
    from .fix import Change, PublishedRecord
    from .tree import Tree

M365_MX_SUFFIXES = (".mail.protection.outlook.com", ".mx.microsoft")
# Smart hosts that send relay mail to the wrong place (451 4.4.62 ATTR35).
LEGACY_SMART_HOSTS = ("mail.messaging.microsoft.com", "mail.global.frontbridge.com")
SMTP_AUTH_HOST = "smtp.office365.com"
SPF_INCLUDE = "include:spf.protection.outlook.com"
PROFILE = "m365-relay"
RELAY_PORT = 25
MIN_PREFIX = 24


class ConnectorAddressError(InputError):
    """An address Exchange Online's inbound connector cannot take."""


class RelayError(InputError):
    """The domain's DNS does not give what relay needs (no Microsoft 365 MX)."""


def connector_network(text: str) -> ipaddress.IPv4Network:
    """The ``-SenderIPAddresses`` value for ``text`` (an IPv4 address or prefix).

    :raises ConnectorAddressError: IPv6, a prefix shorter than /24, or not an address; the
        message says why the connector refuses it.
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ConnectorAddressError(f"'{text}' is not an IPv4 address or prefix") from None
    if network.version == 6:
        raise ConnectorAddressError(
            f"{text}: New-InboundConnector -SenderIPAddresses takes IPv4 only (IPv6 is not "
            "supported); relay the device over IPv4, or use a certificate-based connector")
    assert isinstance(network, ipaddress.IPv4Network)
    if network.prefixlen < MIN_PREFIX:
        raise ConnectorAddressError(
            f"{text}: -SenderIPAddresses accepts a single address or a prefix from /24 to /32; "
            f"/{network.prefixlen} is too wide. List the /24 (or narrower) ranges that really "
            "send")
    return network


def _connector_text(network: ipaddress.IPv4Network) -> str:
    return str(network.network_address) if network.prefixlen == 32 else str(network)


def _spf_term(network: ipaddress.IPv4Network) -> str:
    return f"ip4:{_connector_text(network)}"


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class SmartHost:
    """A Microsoft 365 MX target found in DNS."""

    host: str
    preference: int
    style: str  # "legacy" (mail.protection.outlook.com) or "dane" (mx.microsoft)


def relay_arguments(networks: Sequence[ipaddress.IPv4Network]) -> list[str]:
    """The ``fix``/``check`` options naming the device's addresses: ``--ip`` for one address,
    ``--require ip4:NET`` for a prefix (``--ip`` takes addresses only)."""
    out: list[str] = []
    for network in networks:
        if network.prefixlen == 32:
            out += ["--ip", str(network.network_address)]
        else:
            out += ["--require", _spf_term(network)]
    return out


def verify_command(domain: str, arguments: Sequence[str]) -> str:
    """The check that proves the relay's setup once the record is published."""
    return " ".join(["spflint check", domain, "--profile", PROFILE, *arguments])


@dataclass(frozen=True)
class RelaySpf:
    """The relay's SPF record: what ``spflint fix`` proves for the domain's published record
    with the device's addresses and Microsoft 365's include, or why it proves nothing."""

    command: str  # the fix command that prints the same record with the DNS host's steps
    records: tuple[PublishedRecord, ...] = ()
    changes: tuple[Change, ...] = ()
    lookups: int | None = None
    problem: str | None = None  # set when no record could be proven

    @property
    def unchanged(self) -> bool:
        """The published record already is what fix would publish."""
        return self.problem is None and not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {"records": [r.to_dict() for r in self.records],
                "changes": [c.to_dict() for c in self.changes], "lookups": self.lookups,
                "problem": self.problem, "command": self.command}

    def lines(self, networks: Sequence[ipaddress.IPv4Network]) -> list[str]:
        """The SPF part of the plan's text."""
        from .fix.model import record_line

        addresses = ", ".join(_connector_text(n) for n in networks)
        need = (f"pass {addresses} and " if addresses else "") + f"contain {SPF_INCLUDE}"
        if self.problem is not None:
            return [f"SPF: the policy must {need}, but spflint fix cannot prove a record "
                    "that does:", f"  {self.problem}",
                    "Fix that first (see the findings above), then run:",
                    f"  {self.command}"]
        if self.unchanged:
            return [f"SPF: the published policy already does what relay needs ({need}); "
                    "spflint fix changes nothing."]
        created = any(c.kind == "create-record" for c in self.changes)
        lines = [f"SPF: the policy must {need}.",
                 "The domain publishes no SPF record; spflint fix creates one and proves it:"
                 if created else
                 "spflint fix builds it from the published record, keeping its other senders "
                 "and its 'all' qualifier, and proves it:"]
        lines.extend(f"  {record_line(record)}" for record in self.records)
        lines.append("  changes:")
        lines.extend(f"    {change.summary()}" for change in self.changes)
        lines += ["Why each change is made, and the steps at your DNS host:",
                  f"  {self.command}"]
        return lines


async def relay_spf(domain: str, resolver: Resolver,
                    networks: Sequence[ipaddress.IPv4Network], *, tree: Tree | None = None,
                    config: Config | None = None) -> RelaySpf:
    """The relay's SPF record from ``spflint fix``, for ``domain``'s published record.

    The fixer gets the device's addresses and, when the policy (``tree``, walked when not
    given) lacks it, Microsoft 365's include: exactly what ``spflint fix DOMAIN --ip ...
    --profile m365-relay`` asks, so the two print the same record. Whatever keeps the fixer
    from proving a record is returned as ``problem``, never raised.
    """
    from .check import m365_include_requirement
    from .fix import FixOptions, fix_policy
    from .tree import walk

    domain = normalize(domain)
    args = relay_arguments(networks)
    command = " ".join(["spflint fix", domain, *args, "--profile", PROFILE, "--host", "auto"])
    try:
        if tree is None:
            tree = await walk(domain, resolver)
        require = [_spf_term(n) for n in networks if n.prefixlen < 32]
        if not m365_include_requirement(tree).met:
            require.append(SPF_INCLUDE)
        options = FixOptions(domain=domain, require=tuple(require),
                             ips=tuple(str(n.network_address) for n in networks
                                       if n.prefixlen == 32))
        result = await fix_policy(options, resolver, config)
    except SpflintError as exc:
        return RelaySpf(command, problem=exc.message)
    return RelaySpf(command, tuple(result.records), tuple(result.changes), result.lookups)


@dataclass(frozen=True)
class RelayPlan:
    """Everything needed to relay a device's mail through Microsoft 365 (Option 3)."""

    domain: str
    mx: list[tuple[int, str]]
    smart_host: SmartHost
    networks: list[ipaddress.IPv4Network]
    cert_domain: str | None
    device: list[tuple[str, str]]
    powershell: list[str]
    spf_terms: list[str]
    spf: RelaySpf
    verify: str  # the check that proves the published SPF side, with the device's address
    checklist: list[str]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "mx": [{"preference": p, "host": h} for p, h in self.mx],
            "smart_host": {"host": self.smart_host.host, "port": RELAY_PORT,
                           "style": self.smart_host.style},
            "connector_ips": [_connector_text(n) for n in self.networks],
            "certificate_name": self.cert_domain,
            "device": [{"setting": k, "value": v} for k, v in self.device],
            "powershell": list(self.powershell),
            "spf_terms": list(self.spf_terms),
            "spf": self.spf.to_dict(),
            "verify": self.verify,
            "checklist": list(self.checklist),
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        width = max(len(k) for k, _ in self.device)
        lines = [f"Microsoft 365 relay for {self.domain}", "",
                 "Device (printer, scanner, application) settings:"]
        lines += [f"  {k + ':':<{width + 1}}  {v}" for k, v in self.device]
        lines += ["", "Inbound connector (Exchange Online PowerShell, after "
                  "Connect-ExchangeOnline):"]
        lines += ["  " + command for command in self.powershell]
        lines += ["", *self.spf.lines(self.networks)]
        lines += ["", "Verify once the record is published:", f"  {self.verify}"]
        lines += ["", "What DNS cannot show (check these yourself):"]
        lines += [f"  [ ] {item}" for item in self.checklist]
        if self.warnings:
            lines += ["", "Warnings:"] + [f"  - {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def smart_host_from_mx(mx: Iterable[tuple[int, str]]) -> SmartHost | None:
    """The most preferred Microsoft 365 MX target, or None when there is none."""
    found = []
    for preference, host in mx:
        name = canonical(host)
        if name.endswith(M365_MX_SUFFIXES[0]):
            found.append(SmartHost(name, preference, "legacy"))
        elif name.endswith(M365_MX_SUFFIXES[1]):
            found.append(SmartHost(name, preference, "dane"))
    return min(found, key=lambda s: (s.preference, s.host)) if found else None


async def read_mx(domain: str, resolver: Resolver) -> list[tuple[int, str]]:
    """The domain's MX records, sorted by preference.

    :raises DNSFailure: the lookup failed.
    :raises UnknownAnswerError: nothing answered the question (offline, no data).
    :raises RelayError: the domain has no MX records.
    """
    answer = await resolver.query(domain, "MX")
    if answer.outcome.is_failure:
        raise DNSFailure(f"MX lookup for {domain} failed ({answer.outcome.value})")
    if answer.outcome.is_unknown:
        raise UnknownAnswerError(f"the MX records of {domain} are not known offline")
    records = [(int(r[0]), canonical(str(r[1]))) for r in answer.records
               if isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], int)]
    if answer.outcome is not Outcome.OK or not records:
        raise RelayError(f"{domain} has no MX records: the smart host is the MX endpoint shown "
                         "in the Microsoft 365 admin center (Settings → Domains → "
                         f"{domain} → MX 'Points to address'); spflint does not guess it")
    return sorted(records)


def powershell_commands(domain: str, networks: Sequence[ipaddress.IPv4Network],
                        cert_domain: str | None) -> list[str]:
    """``New-InboundConnector`` for the IP variant and, with ``cert_domain``, the certificate
    variant (``ConnectorType OnPremises``: only that type relays to external recipients)."""
    commands = []
    if networks:
        ips = ",".join(_connector_text(n) for n in networks)
        commands.append(
            f"New-InboundConnector -Name {_ps_quote(f'Relay from {domain} devices (IP)')} "
            f"-ConnectorType OnPremises -SenderDomains {_ps_quote(domain)} "
            f"-SenderIPAddresses {ips} -RestrictDomainsToIPAddresses $true")
    if cert_domain:
        commands.append(
            f"New-InboundConnector -Name {_ps_quote(f'Relay from {domain} devices (cert)')} "
            f"-ConnectorType OnPremises -SenderDomains {_ps_quote(domain)} -RequireTls $true "
            f"-TlsSenderCertificateName {_ps_quote(cert_domain)} "
            "-RestrictDomainsToCertificate $true")
    return commands


def _within(name: str, domain: str) -> bool:
    bare = name[2:] if name.startswith("*.") else name
    return bare == domain or bare.endswith("." + domain)


async def relay_plan(domain: str, resolver: Resolver, *, ips: Sequence[str] = (),
                     cert_domain: str | None = None, tree: Tree | None = None,
                     config: Config | None = None,
                     mx: Sequence[tuple[int, str]] | None = None) -> RelayPlan:
    """The relay set-up for ``domain`` from its MX records (read from DNS, never derived;
    ``mx`` when the caller read them already) and its SPF record (``spflint fix``'s proven
    record, see ``relay_spf``; ``tree`` is the domain's walked policy when the caller has
    it).

    :raises InputError: an invalid domain, no address and no certificate name, or an
        address the connector cannot take (``ConnectorAddressError``).
    :raises RelayError: no MX, or no Microsoft 365 MX.
    :raises DNSFailure: the MX lookup failed.
    """
    domain = normalize(domain)
    networks = [connector_network(ip) for ip in ips]
    if not networks and not cert_domain:
        raise InputError("give the device's static public IPv4 address (or a certificate "
                         "name for a certificate-based connector)")
    mx = await read_mx(domain, resolver) if mx is None else list(mx)
    smart = smart_host_from_mx(mx)
    warnings: list[str] = []
    if smart is None:
        legacy = [h for _, h in mx if h in LEGACY_SMART_HOSTS]
        hint = (f" ({', '.join(legacy)} is a legacy target that causes 451 4.4.62 ATTR35)"
                if legacy else "")
        raise RelayError(
            f"no MX of {domain} points to Microsoft 365 (*.mail.protection.outlook.com or "
            f"*.mx.microsoft){hint}: relay needs the tenant's MX endpoint, shown in the admin "
            f"center under Settings → Domains → {domain}")
    others = [h for _, h in mx if not h.endswith(M365_MX_SUFFIXES)]
    if others:
        warnings.append(f"{domain} also has MX records outside Microsoft 365 "
                        f"({', '.join(others)}); the smart host is the Microsoft 365 one.")
    for original, network in zip(ips, networks, strict=True):
        if not network.is_global:
            warnings.append(f"{network} is not a public address: the connector sees the "
                            "address your mail leaves the network with (after NAT).")
        try:
            ipaddress.ip_network(original.strip(), strict=True)
        except ValueError:
            warnings.append(f"{original} has host bits set; the connector and SPF use "
                            f"{network}.")
    cert = cert_domain.strip().lower().rstrip(".") if cert_domain else None
    if cert and not _within(cert, domain):
        warnings.append(f"The certificate name {cert} is not within {domain}: its CN/SAN must "
                        "be a domain verified in the tenant.")
    device = [
        ("SMTP server (smart host)", smart.host),
        ("Port", str(RELAY_PORT)),
        ("TLS", "STARTTLS on (use it when the device supports it)"),
        ("Authentication", "none (the connector recognises the "
                           + ("certificate" if not networks else "IP address") + ")"),
        ("From address", f"any address @{domain}; no mailbox or licence is needed"),
    ]
    if smart.style == "dane":
        warnings.append(f"{smart.host} is a DNSSEC/DANE MX endpoint (*.mx.microsoft): use it "
                        "exactly as published; the middle label is tenant-specific.")
    terms = [_spf_term(n) for n in networks] + [SPF_INCLUDE]
    spf = await relay_spf(domain, resolver, networks, tree=tree, config=config)
    verify = verify_command(domain, relay_arguments(networks))
    checklist = [
        f"Outbound port {RELAY_PORT} is not blocked by your ISP or firewall.",
        "The sending IP is static and not shared with other organisations (dynamic IPs and "
        "third-party clouds such as Azure cannot use relay).",
        f"{domain} is added and verified as an accepted domain in the tenant (otherwise "
        "550 5.7.750).",
        "The device uses the MX host name above, not an IP address, not "
        f"{SMTP_AUTH_HOST} (that is SMTP AUTH: 5.7.57), and not a legacy smart host.",
        "When the public IP changes, update both the connector and the SPF record "
        "(otherwise 550 5.7.64 and junked mail), then check again with the new --ip.",
    ]
    if cert:
        checklist.append("The device or server sends its full certificate chain, including "
                         "intermediates (a missing chain gives 550 5.7.64).")
    if networks:
        checklist.append("If the device cannot do STARTTLS, the connector needs "
                         "-RequireTls $false (RequireTls defaults to $true).")
    return RelayPlan(domain, mx, smart, networks, cert, device,
                     powershell_commands(domain, networks, cert), terms, spf, verify,
                     checklist, warnings)


# -- spflint explain topics -----------------------------------------------------------------

_SOURCES = ("Sources: Microsoft Learn relay article (Option 3), \"Fix issues with printers, "
            "scanners, and LOB applications\", and the Exchange Online NDR pages.")

EXPLAIN_TOPICS: dict[str, str] = {
    "5.7.64": """# 550 5.7.64 TenantAttribution; Relay Access Denied

Microsoft 365 could not attribute the message to your tenant.

## Cause
- No inbound connector matches: the sending IP changed (new ISP or address), or the
  certificate was renewed with another name.
- The on-premises server does not send the intermediate certificate chain (CAPI2 800B0109).
- Relaying to a domain that is not hosted in Microsoft 365.
- Variant `ATTR36`: the Hybrid Configuration Wizard used a certificate whose subject is not
  an accepted domain.

## Fix
- Update the connector's `-SenderIPAddresses` (IPv4, /24 to /32) or
  `-TlsSenderCertificateName`, and the SPF record's `ip4:` term, together.
- Install the intermediate certificates; use a certificate named after an accepted domain.
- `spflint check DOMAIN --profile m365-relay --ip YOUR.IP` confirms the SPF side.
""",
    "4.4.62": """# 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35

## Cause
The smart host or MX points at a wrong target: a legacy host such as
`mail.messaging.microsoft.com` or `mail.global.frontbridge.com`, a hard-coded Microsoft 365
IP address, or an endpoint of another region.

## Fix
Use the tenant's MX endpoint (`<domain-key>.mail.protection.outlook.com`, or the
`*.mx.microsoft` host for DNSSEC/DANE tenants) exactly as published in DNS or shown in the
admin center. Never use an IP address instead of the host name.
""",
    "5.7.750": """# 550 5.7.750 Client blocked from sending from unregistered domains

## Cause
A large volume of mail uses sender domains that are not added and verified as accepted
domains in the tenant.

## Fix
Add and verify every domain the devices send from (Microsoft 365 admin center → Settings →
Domains). A certificate-based connector whose certificate names a provisioned domain is an
alternative.
""",
    "5.7.711": """# 550 5.7.711 Access denied, bad inbound connector. AS(2204)

## Cause
The inbound connector was flagged as compromised and blocked (restricted entities).

## Fix
Find and clean up what sent the abusive mail, then remove the block in the Microsoft
Defender portal (see `Get-BlockedConnector` in Exchange Online PowerShell).
""",
    "5.7.57": """# 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM

## Cause
The device points at `smtp.office365.com` (SMTP AUTH, port 587) without credentials. That
host is for authenticated submission, not for relay.

## Fix
For relay or direct send, point the device at the tenant's MX endpoint on port 25 and create
an inbound connector; for SMTP AUTH, give the device a mailbox's credentials.
""",
}

_ALIASES = {"attr35": "4.4.62", "attr36": "5.7.64", "tenantattribution": "5.7.64",
            "as(2204)": "5.7.711"}


def _summary(page: str) -> str:
    return page.splitlines()[0].lstrip("# ").strip()


class RelayTopics:
    """Microsoft 365 relay error codes for ``spflint explain``."""

    title = "Microsoft 365 relay errors"

    def lookup(self, key: str) -> str | None:
        words = key.strip().lower().split()
        # "550 5.7.64" and "5.7.64" name the same page.
        if len(words) == 2 and words[0].isdigit() and len(words[0]) == 3:
            words = words[1:]
        wanted = " ".join(words)
        wanted = _ALIASES.get(wanted, wanted)
        page = EXPLAIN_TOPICS.get(wanted)
        return None if page is None else page.rstrip("\n") + "\n\n" + _SOURCES + "\n"

    def topics(self) -> Iterable[str]:
        return list(EXPLAIN_TOPICS)

    def table(self) -> list[tuple[str, str]]:
        return [(code, _summary(page)) for code, page in EXPLAIN_TOPICS.items()]


TOPIC_PROVIDER = RelayTopics()
