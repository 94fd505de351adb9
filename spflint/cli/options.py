"""Reusable option groups; each gathers its values into one typed settings object."""

from __future__ import annotations

import functools
import ipaddress
import math
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
    """``--format``, ``--fail-on``, ``--select``, ``--ignore``, ``--quiet``, ``--statistics``
    and ``--output-file``."""

    format: str = "text"
    fail_on: str | None = None  # None: the configuration's fail-on (default error)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    quiet: bool = False
    statistics: bool = False
    output_file: Path | None = None  # None: standard output


def default_format() -> str:
    """``github`` inside GitHub Actions, ``text`` elsewhere."""
    return "github" if os.environ.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def format_options(func: F) -> F:
    """Add the output options (``--format/-f``, ``--fail-on``, ``--select``, ``--ignore``,
    ``--quiet/-q``, ``--statistics``, ``--output-file``) and the global ``--config`` and
    ``--color``, so that those work after the command name too. The command receives
    ``fmt: FormatSettings``; options that would do nothing are refused first
    (:func:`idle_option_problem`), and with ``--output-file`` the command's standard output
    goes to that file."""

    @functools.wraps(func)
    def wrapper(*args: Any, output_format: str | None, fail_on: str | None,
                select: tuple[str, ...], ignore: tuple[str, ...], quiet: bool,
                statistics: bool, output_file: Path | None, config_path: Path | None,
                color: str | None, **kwargs: Any) -> Any:
        from .common import FORMAT_SETTINGS_KEY, report_file

        ctx = click.get_current_context()
        settings = FormatSettings(
            format=output_format or default_format(),
            fail_on=fail_on,
            select=split_list(select),
            ignore=split_list(ignore),
            quiet=quiet,
            statistics=statistics,
            output_file=None if output_file is None or str(output_file) == "-" else output_file,
        )
        _override_globals(ctx, config_path, color)
        problem = idle_option_problem(ctx, settings)
        if problem is not None:
            raise click.UsageError(problem, ctx)
        ctx.meta[FORMAT_SETTINGS_KEY] = settings
        with report_file(settings.output_file):
            return func(*args, fmt=settings, **kwargs)

    options = [
        click.option("--format", "-f", "output_format", type=click.Choice(list(FORMATTERS)),
                     default=None,
                     help="Output format [default: github when GITHUB_ACTIONS=true, else "
                          "text]."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "info"],
                                                    case_sensitive=False),
                     default=None,
                     help="Exit 1 when a finding is at least this serious [default: error, "
                          "or fail-on from the configuration]."),
        click.option("--select", "-s", multiple=True, metavar="RULES",
                     help="Run only these rules (codes, names or prefixes such as SPF3; "
                          "repeatable, comma-separated)."),
        click.option("--ignore", "-i", multiple=True, metavar="RULES",
                     help="Skip these rules (repeatable, comma-separated)."),
        click.option("--quiet", "-q", is_flag=True,
                     help="Print only findings and errors: no result lines, and no summary "
                          "line when there is nothing to report."),
        click.option("--statistics", is_flag=True,
                     help="End with the number of findings of each rule."),
        click.option("--output-file", "-o", metavar="FILE", default=None,
                     type=click.Path(dir_okay=False, path_type=Path),
                     callback=_named_file,
                     help="Write the report to FILE (replaced at once when the run ends) "
                          "instead of standard output."),
        click.option("--config", "config_path", metavar="FILE", default=None,
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Configuration file, as before the command."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default=None,
                     help="Colour text output, as before the command."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _named_file(ctx: click.Context, param: click.Parameter, value: Path | None
                ) -> Path | None:
    # click reads an empty value as the current directory; it names no file at all.
    if value is not None and str(value) in ("", "."):
        raise click.BadParameter("an empty file name", ctx=ctx, param=param)
    return value


def _override_globals(ctx: click.Context, config_path: Path | None, color: str | None) -> None:
    """``--config`` and ``--color`` given after the command name replace those before it."""
    if config_path is None and color is None:
        return
    from .common import GlobalSettings, global_settings

    before = global_settings(ctx)
    ctx.obj = GlobalSettings(config_path=config_path or before.config_path,
                             color=color or before.color)


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
    _SecondsParam = click.ParamType[float]
else:
    _NameserverParam = _IPParam = _SecondsParam = click.ParamType


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


# The longest --timeout: a day (a repository of thousands of zones takes minutes).
MAX_TIMEOUT = 86400.0


class SecondsType(_SecondsParam):
    """A click type for ``--timeout``: a finite number of seconds above 0 (at most a day)."""

    name = "SECONDS"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        if isinstance(value, float) and 0 < value <= MAX_TIMEOUT:
            return value
        try:
            seconds = float(str(value).strip())
        except ValueError:
            seconds = math.nan
        if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
            self.fail(f"'{value}' is not a number of seconds greater than 0 and at most "
                      f"{MAX_TIMEOUT:g}", param, ctx)
        return seconds


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
        click.option("--timeout", type=SecondsType(), default=None, metavar="SECONDS",
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
    CoverageSettings``. Each ``--require`` must be one SPF mechanism."""

    @functools.wraps(func)
    def wrapper(*args: Any, ip: tuple[IPAddress, ...], require: tuple[str, ...],
                profile: str | None, **kwargs: Any) -> Any:
        terms = require_terms(require)
        settings = CoverageSettings(tuple(ip), terms, profile)
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


def require_terms(values: Iterable[str]) -> tuple[str, ...]:
    """The ``--require`` terms (repeatable, comma-separated), each checked to be one SPF
    mechanism as a record would hold it.

    :raises click.BadParameter: an empty term, or one that is not a mechanism; the message
        is the parser's, with the column in the term.
    """
    terms: list[str] = []
    if not values:
        return ()  # the parser loads only when there is a term to read
    from ..ast import Directive
    from ..errors import SpfSyntaxError
    from ..parser import parse_record

    prefix = "v=spf1 "
    for value in values:
        for item in value.split(","):
            term = item.strip()
            if not term:
                raise click.BadParameter(f"{value!r} holds an empty term",
                                         param_hint="'--require'")
            try:
                parsed = parse_record(prefix + term).terms
            except SpfSyntaxError as exc:
                first = exc.problems[0]
                raise click.BadParameter(
                    f"{term!r} is not an SPF term: {first.message} (at column "
                    f"{max(first.column - len(prefix), 1)})", param_hint="'--require'"
                ) from None
            if len(parsed) != 1 or not isinstance(parsed[0], Directive):
                raise click.BadParameter(f"{term!r} is not one SPF mechanism (such as "
                                         "include:spf.protection.outlook.com)",
                                         param_hint="'--require'")
            terms.append(term)
    return tuple(terms)


# --- options that would do nothing ------------------------------------------------------------

# Shared options a command takes but has no use for, and why: giving one is an error, so
# that nobody believes it had an effect.
# ``--quiet`` keeps findings and drops the rest: a command without findings would print nothing.
_NO_FINDINGS = ("fail_on", "select", "ignore", "statistics", "quiet")
IDLE_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "query": (_NO_FINDINGS, "it prints a result, not findings"),
    "diff": (_NO_FINDINGS, "it prints changed ranges, not findings"),
    "hosts": (_NO_FINDINGS, "it prints the host registry, not findings"),
    "explain": (_NO_FINDINGS, "it prints documentation, not findings"),
    "lock": (("output_format", "fail_on", "select", "ignore", "quiet", "statistics"),
             "it writes a lock file, not a report"),
}
_DNS_PARAMS = ("nameserver", "timeout", "dns_data", "offline")


class _Given:
    """Which parameters of the running command were given on its command line."""

    def __init__(self, ctx: click.Context) -> None:
        self.ctx = ctx

    def __call__(self, name: str) -> bool:
        from click.core import ParameterSource

        return self.ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE

    def flag(self, name: str) -> str:
        """How the user spells parameter ``name`` (``--fail-on``, ``DOMAIN``)."""
        for param in self.ctx.command.params:
            if param.name == name:
                if isinstance(param, click.Option):
                    long = [opt for opt in param.opts if opt.startswith("--")]
                    return (long or param.opts)[0]
                return param.human_readable_name
        return name


def idle_option_problem(ctx: click.Context, fmt: FormatSettings) -> str | None:
    """Why an option given to the running command would do nothing, or would be overridden
    by another without a word; None when every option given counts."""
    given = _Given(ctx)
    params = ctx.params
    command = ctx.command.name or ""
    unused, why = IDLE_OPTIONS.get(command, ((), ""))
    for name in unused:
        if given(name):
            return f"{given.flag(name)} does nothing with 'spflint {command}': {why}"
    if fmt.format in ("json", "sarif"):
        for name in ("quiet", "statistics"):
            if given(name):
                return (f"{given.flag(name)} shapes text and github output; --format "
                        f"{fmt.format} always writes the whole document")
    if params.get("offline") and given("nameserver"):
        return "--offline never asks DNS, so --nameserver would not be used"
    if params.get("demo"):
        if given("domain"):
            return "--demo checks the bundled demo domain: give DOMAIN or --demo, not both"
        if given("nameserver"):
            return "--demo answers from bundled data offline: --nameserver would not be used"
    check = _COMMAND_CHECKS.get(command)
    return None if check is None else check(given, params, fmt)


def _hosts_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    if params.get("domain") is None:
        for name in _DNS_PARAMS:
            if given(name):
                return f"{given.flag(name)} is for --detect: listing hosts asks no DNS"
    elif given("key"):
        return "give a HOST to show or --detect DOMAIN, not both"
    return None


def _explain_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    if params.get("list_all") and given("topic"):
        return "give a rule to explain or --list, not both"
    return None


def _query_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    if params.get("batch") is None:
        return None
    if given("output_format") and fmt.format != "json":
        return f"--batch always writes JSON lines: --format {fmt.format} would not be used"
    return None


def _fix_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    if given("host_key") and params.get("domain") is None and not params.get("demo"):
        return ("--host prints steps for publishing at DOMAIN's DNS host: it needs a DOMAIN "
                "(with --record alone there is no zone to publish in)")
    keep = {name.strip().rstrip(".").lower() for name in params.get("keep") or ()}
    both = sorted(keep & {name.strip().rstrip(".").lower()
                          for name in params.get("flatten") or ()})
    if both:
        return f"--keep and --flatten both name {', '.join(both)}: choose one"
    return None


def _diff_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    records = [text for text in (params.get("old"), params.get("new"))
               if isinstance(text, str) and text.strip()[:6].lower() == "v=spf1"]
    if given("domain") and not records:
        return ("--domain is the domain a record text stands for; OLD and NEW are both "
                "domains, so it would not be used")
    return None


def _zone_problem(given: _Given, params: dict[str, Any], fmt: FormatSettings) -> str | None:
    fix, diff = params.get("fix"), params.get("show_diff")
    if fix and diff:
        return "--fix writes the fixes and --diff prints them instead: choose one"
    if not (fix or diff):
        for name in ("unsafe_fixes", "bump_serial"):
            if params.get(name):
                return f"{given.flag(name)} changes what --fix or --diff do: give one of them"
    if diff:
        for name in ("output_format", "fail_on", "quiet", "statistics"):
            if given(name):
                return (f"{given.flag(name)} does nothing with --diff: it prints the fixes as "
                        "a unified diff")
    if params.get("lock_path") is not None and params.get("no_lock"):
        return "give --lock FILE or --no-lock, not both"
    return None


_COMMAND_CHECKS: dict[str, Callable[[_Given, dict[str, Any], FormatSettings], str | None]] = {
    "hosts": _hosts_problem,
    "explain": _explain_problem,
    "query": _query_problem,
    "fix": _fix_problem,
    "diff": _diff_problem,
    "zone": _zone_problem,
}
