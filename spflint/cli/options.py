"""Reusable option groups; each gathers its values into one typed settings object."""

from __future__ import annotations

import functools
import ipaddress
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from ..report.base import FORMATTERS

if TYPE_CHECKING:
    from ..dns.base import Resolver
    from ..dns.offline import OfflineResolver

F = Callable[..., Any]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def split_list(values: Iterable[str]) -> tuple[str, ...]:
    """Repeatable options that also accept comma-separated values: ``-s A,B -s C``."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class FormatSettings:
    """``--format``, ``--fail-on``, ``--select`` and ``--ignore``."""

    format: str = "text"
    fail_on: str | None = None  # None: the configuration's fail-on (default error)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def default_format() -> str:
    """``github`` inside GitHub Actions, ``text`` elsewhere."""
    return "github" if os.environ.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def format_options(func: F) -> F:
    """Add ``--format/-f``, ``--fail-on``, ``--select`` and ``--ignore``; the command receives
    them as ``fmt: FormatSettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, output_format: str | None, fail_on: str | None,
                select: tuple[str, ...], ignore: tuple[str, ...], **kwargs: Any) -> Any:
        settings = FormatSettings(
            format=output_format or default_format(),
            fail_on=fail_on,
            select=split_list(select),
            ignore=split_list(ignore),
        )
        return func(*args, fmt=settings, **kwargs)

    options = [
        click.option("--format", "-f", "output_format", type=click.Choice(list(FORMATTERS)),
                     default=None,
                     help="Output format [default: github when GITHUB_ACTIONS=true, else "
                          "text]."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info"]),
                     default=None,
                     help="Exit 1 when a finding is at least this serious [default: error, "
                          "or fail-on from the configuration]."),
        click.option("--select", "-s", multiple=True, metavar="RULES",
                     help="Run only these rules (codes, names or prefixes such as SPF3; "
                          "repeatable, comma-separated)."),
        click.option("--ignore", "-i", multiple=True, metavar="RULES",
                     help="Skip these rules (repeatable, comma-separated)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@dataclass(frozen=True)
class Nameserver:
    """One ``--nameserver`` value."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """``IP``, ``IPv4:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address.

    :raises InputError: not an IP address, or a port outside 1-65535.
    """
    from ..dns.names import parse_nameserver as parse

    host, port = parse(text)
    return Nameserver(host, port)


# click's ParamType is generic only from click 8.2 on; subscript it for the type checker only.
if TYPE_CHECKING:
    _NameserverParam = click.ParamType[Nameserver]
    _IPParam = click.ParamType[IPAddress]
else:
    _NameserverParam = _IPParam = click.ParamType


class NameserverType(_NameserverParam):
    """A click type for ``IP[:PORT]``."""

    name = "IP[:PORT]"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Nameserver:
        if isinstance(value, Nameserver):
            return value
        try:
            return parse_nameserver(str(value))
        except InputError as exc:
            self.fail(exc.message, param, ctx)

    def split_envvar_value(self, rv: str) -> list[str]:
        """``SPFLINT_NAMESERVER`` separates servers by spaces, commas or both."""
        from ..dns.layered import split_nameservers

        return split_nameservers(rv)


class IPType(_IPParam):
    """A click type for one IPv4 or IPv6 address."""

    name = "IP"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> IPAddress:
        if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
            return value
        from ..macros import normalize_ip

        try:
            return normalize_ip(str(value))
        except ValueError:
            self.fail(f"'{value}' is not an IPv4 or IPv6 address (without a zone index)",
                      param, ctx)


@dataclass(frozen=True)
class DNSSettings:
    """``--nameserver``, ``--timeout``, ``--dns-data`` and ``--offline``.

    ``started`` is when the run began (:func:`time.monotonic`): ``--timeout`` counts from it.
    """

    nameservers: tuple[Nameserver, ...] = ()
    timeout: float | None = None
    dns_data: tuple[Path, ...] = ()
    offline: bool = False
    started: float = field(default_factory=time.monotonic, compare=False, repr=False)

    @property
    def deadline(self) -> float | None:
        """The :func:`time.monotonic` time at which the run's DNS time is used up."""
        return None if self.timeout is None else self.started + self.timeout

    def remaining(self) -> float | None:
        """Seconds left of ``--timeout`` (never negative); None without a limit."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - time.monotonic())


def make_resolver(dns: DNSSettings, *, first: Sequence[OfflineResolver] = (),
                  before_live: Sequence[OfflineResolver] = ()) -> Resolver:
    """The one resolver a run uses: ``first`` layers (a repository's zones), ``--dns-data``,
    ``before_live`` layers (a lock file), then live DNS unless ``--offline``, with each query
    waiting at most 2 s (less when ``--timeout`` is shorter) and none sent after the run's
    deadline.

    :raises InputError: an unreadable zone-data file or a bad nameserver.
    """
    from ..dns.layered import build_resolver, query_timeout

    return build_resolver(
        nameservers=[str(server) for server in dns.nameservers],
        timeout=query_timeout(dns.timeout),
        dns_data_files=list(dns.dns_data),
        offline=dns.offline,
        deadline=dns.deadline,
        first=first,
        before_live=before_live,
    )


def dns_options(func: F) -> F:
    """Add the DNS options; the command receives them as ``dns: DNSSettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, nameserver: tuple[Nameserver, ...], timeout: float | None,
                dns_data: tuple[Path, ...], offline: bool, **kwargs: Any) -> Any:
        settings = DNSSettings(tuple(nameserver), timeout, tuple(dns_data), offline)
        return func(*args, dns=settings, **kwargs)

    options = [
        click.option("--nameserver", multiple=True, type=NameserverType(),
                     envvar="SPFLINT_NAMESERVER",
                     help="Send DNS queries here (repeatable; env SPFLINT_NAMESERVER, "
                          "separated by spaces or commas)."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS",
                     help="Overall time limit for the whole run (each query waits at most "
                          "2 s)."),
        click.option("--dns-data", multiple=True, metavar="FILE",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Offline zone data (openspf YAML zonedata or a BIND zone file), "
                          "answered before live DNS (repeatable)."),
        click.option("--offline", is_flag=True, help="Never query live DNS."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


PROFILES = ("m365-relay",)


@dataclass(frozen=True)
class CoverageSettings:
    """``--ip``, ``--require`` and ``--profile``."""

    ips: tuple[IPAddress, ...] = ()
    require: tuple[str, ...] = ()
    profile: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def coverage_options(func: F) -> F:
    """Add the coverage requirement options; the command receives ``coverage:
    CoverageSettings``."""

    @functools.wraps(func)
    def wrapper(*args: Any, ip: tuple[IPAddress, ...], require: tuple[str, ...],
                profile: str | None, **kwargs: Any) -> Any:
        settings = CoverageSettings(tuple(ip), split_list(require), profile)
        return func(*args, coverage=settings, **kwargs)

    options = [
        click.option("--ip", multiple=True, type=IPType(),
                     help="An address that must pass SPF (repeatable, IPv4 or IPv6)."),
        click.option("--require", multiple=True, metavar="TERM",
                     help="A term the policy must contain, e.g. "
                          "include:spf.protection.outlook.com (repeatable)."),
        click.option("--profile", type=click.Choice(PROFILES), default=None,
                     help="A named set of requirements."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
