"""The reusable option groups and the settings objects they build."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from spflint.cli.options import (
    CoverageSettings,
    DNSSettings,
    FormatSettings,
    Nameserver,
    coverage_options,
    dns_options,
    format_options,
    parse_nameserver,
    split_list,
)
from spflint.errors import InputError

SEEN: dict[str, Any] = {}


@click.command()
@format_options
@dns_options
@coverage_options
def probe(fmt: FormatSettings, dns: DNSSettings, coverage: CoverageSettings) -> None:
    SEEN.update(fmt=fmt, dns=dns, coverage=coverage)


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("SPFLINT_NAMESERVER", raising=False)

    def run(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
        SEEN.clear()
        return CliRunner().invoke(probe, list(args), env=env)

    return run


def test_defaults(invoke: Any) -> None:
    result = invoke()
    assert result.exit_code == 0, result.output
    assert SEEN["fmt"] == FormatSettings("text", None, (), ())
    assert (SEEN["fmt"].quiet, SEEN["fmt"].statistics, SEEN["fmt"].output_file) == (
        False, False, None)
    assert SEEN["dns"] == DNSSettings()
    assert SEEN["coverage"] == CoverageSettings()


def test_output_options(invoke: Any, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    result = invoke("-q", "--statistics", "-o", str(target), "--fail-on", "WARNING")
    assert result.exit_code == 0, result.output
    assert SEEN["fmt"] == FormatSettings("text", "warning", (), (), True, True, target)
    assert target.read_text() == ""  # the report file is written even when it is empty
    invoke("--output-file", "-")
    assert SEEN["fmt"].output_file is None


@pytest.mark.parametrize(("value", "seconds"), [("2.5", 2.5), (" 10 ", 10.0), ("86400", 86400.0),
                                                ("1e-3", 0.001)])
def test_timeout_values(invoke: Any, value: str, seconds: float) -> None:
    assert invoke("--timeout", value).exit_code == 0
    assert SEEN["dns"].timeout == seconds


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "0", "-0", "-1", "86401",
                                   "1e400", "soon", ""])
def test_timeout_must_be_finite_and_positive(invoke: Any, value: str) -> None:
    result = invoke("--timeout", value)
    assert result.exit_code == 2
    assert "is not a number of seconds greater than 0 and at most 86400" in result.output


@pytest.mark.parametrize(("value", "terms"), [
    ("include:spf.protection.outlook.com", ("include:spf.protection.outlook.com",)),
    (" ip4:192.0.2.0/24 , -all", ("ip4:192.0.2.0/24", "-all")),
    ("a:%{d}.example", ("a:%{d}.example",)),
])
def test_require_terms(invoke: Any, value: str, terms: tuple[str, ...]) -> None:
    assert invoke("--require", value).exit_code == 0
    assert SEEN["coverage"].require == terms


@pytest.mark.parametrize(("value", "message"), [
    ("include:", "'include' needs a domain"),
    ("ipv4:1.2.3.4", "unknown mechanism 'ipv4'"),
    ("include:%{z}.example", "unknown macro letter 'z'"),
    ("", "holds an empty term"),
    ("include:a.example,,mx", "holds an empty term"),
    ("exp=why.example", "not one SPF mechanism"),
    ("mx a", "not one SPF mechanism"),
])
def test_require_must_be_one_mechanism(invoke: Any, value: str, message: str) -> None:
    result = invoke("--require", value)
    assert result.exit_code == 2
    assert "Invalid value for '--require'" in result.output
    assert message in result.output


def test_github_actions_selects_github(invoke: Any) -> None:
    assert invoke(env={"GITHUB_ACTIONS": "true"}).exit_code == 0
    assert SEEN["fmt"].format == "github"
    invoke("-f", "json", env={"GITHUB_ACTIONS": "true"})
    assert SEEN["fmt"].format == "json"
    invoke(env={"GITHUB_ACTIONS": "false"})
    assert SEEN["fmt"].format == "text"


def test_format_choices(invoke: Any) -> None:
    for name in ("text", "json", "sarif", "github"):
        assert invoke("--format", name).exit_code == 0
        assert SEEN["fmt"].format == name
    assert invoke("--format", "xml").exit_code == 2


def test_select_ignore_comma_and_repeat(invoke: Any) -> None:
    assert invoke("--select", "SPF1,SPF301", "-s", "pass-all", "--ignore", "SPF101, SPF102",
                  "--fail-on", "warning").exit_code == 0
    fmt = SEEN["fmt"]
    assert fmt.select == ("SPF1", "SPF301", "pass-all")
    assert fmt.ignore == ("SPF101", "SPF102")
    assert fmt.fail_on == "warning"
    assert invoke("--fail-on", "critical").exit_code == 2


def test_split_list() -> None:
    assert split_list(["a,b", " c ", ",,"]) == ("a", "b", "c")


def test_nameservers(invoke: Any) -> None:
    result = invoke("--nameserver", "127.0.0.1:5353", "--nameserver", "::1",
                    "--nameserver", "[::1]:53000", "--nameserver", "192.0.2.53")
    assert result.exit_code == 0, result.output
    assert SEEN["dns"].nameservers == (
        Nameserver("127.0.0.1", 5353), Nameserver("::1", 53), Nameserver("::1", 53000),
        Nameserver("192.0.2.53", 53),
    )
    assert str(Nameserver("::1", 53000)) == "[::1]:53000"


@pytest.mark.parametrize("value", ["127.0.0.1:5300 127.0.0.2", "127.0.0.1:5300,127.0.0.2",
                                   " 127.0.0.1:5300 , 127.0.0.2,", "127.0.0.1:5300,\t127.0.0.2"])
def test_nameserver_from_environment(invoke: Any, value: str) -> None:
    assert invoke(env={"SPFLINT_NAMESERVER": value}).exit_code == 0
    assert SEEN["dns"].nameservers == (Nameserver("127.0.0.1", 5300), Nameserver("127.0.0.2"))


def test_bad_nameserver_in_environment(invoke: Any) -> None:
    result = invoke(env={"SPFLINT_NAMESERVER": "127.0.0.1,ns.example"})
    assert result.exit_code == 2
    assert "'ns.example' is not an IP address" in result.output


@pytest.mark.parametrize("bad", ["dns.example", "127.0.0.1:0", "127.0.0.1:99999", "[::1",
                                 "[::1]x", "127.0.0.1:", "1.2.3"])
def test_bad_nameserver(invoke: Any, bad: str) -> None:
    result = invoke("--nameserver", bad)
    assert result.exit_code == 2
    assert "invalid nameserver" in result.output
    with pytest.raises(InputError):
        parse_nameserver(bad)


def test_timeout(invoke: Any) -> None:
    assert invoke("--timeout", "2.5").exit_code == 0
    assert SEEN["dns"].timeout == 2.5
    assert invoke("--timeout", "0").exit_code == 2
    assert invoke("--timeout", "-1").exit_code == 2
    assert invoke("--timeout", "soon").exit_code == 2


def test_timeout_is_one_deadline_for_the_run() -> None:
    assert DNSSettings().deadline is None and DNSSettings().remaining() is None
    started = time.monotonic() - 60.0
    dns = DNSSettings(timeout=5.0, started=started)
    assert dns.deadline == started + 5.0
    assert dns.remaining() == 0.0  # a minute ago plus five seconds: long past
    fresh = DNSSettings(timeout=30.0)
    remaining = fresh.remaining()
    assert remaining is not None and 0.0 < remaining <= 30.0
    assert DNSSettings(timeout=5.0) == DNSSettings(timeout=5.0, started=0.0)


def test_dns_data_must_exist(invoke: Any, tmp_path: Path) -> None:
    zone = tmp_path / "zone.yml"
    zone.write_text("example.com: []\n")
    assert invoke("--dns-data", str(zone), "--offline").exit_code == 0
    assert SEEN["dns"].dns_data == (zone,)
    assert SEEN["dns"].offline is True
    assert invoke("--dns-data", str(tmp_path / "missing.yml")).exit_code == 2


def test_coverage(invoke: Any) -> None:
    result = invoke("--ip", "192.0.2.1", "--ip", "2001:db8::1", "--require",
                    "include:spf.protection.outlook.com", "--profile", "m365-relay")
    assert result.exit_code == 0, result.output
    cov = SEEN["coverage"]
    assert cov.ips == (ipaddress.ip_address("192.0.2.1"), ipaddress.ip_address("2001:db8::1"))
    assert cov.require == ("include:spf.protection.outlook.com",)
    assert cov.profile == "m365-relay"


@pytest.mark.parametrize("bad", ["192.0.2.256", "192.0.2.0/24", "mail.example.com", ""])
def test_bad_ip(invoke: Any, bad: str) -> None:
    result = invoke("--ip", bad)
    assert result.exit_code == 2
    assert "IPv4 or IPv6" in result.output


def test_unknown_profile(invoke: Any) -> None:
    assert invoke("--profile", "gmail").exit_code == 2


def test_nameserver_lists_split_on_spaces_and_commas() -> None:
    from spflint.dns.layered import nameservers_from, split_nameservers

    assert split_nameservers(" 127.0.0.1:53,::1  [::1]:5353 ,, ") == [
        "127.0.0.1:53", "::1", "[::1]:5353"]
    env = {"SPFLINT_NAMESERVER": "127.0.0.1 127.0.0.2,127.0.0.3"}
    assert nameservers_from([], env) == [("127.0.0.1", 53), ("127.0.0.2", 53),
                                         ("127.0.0.3", 53)]


def test_make_resolver_layers_and_deadline(tmp_path: Path) -> None:
    from spflint.cli.options import make_resolver
    from spflint.dns.base import ZoneData
    from spflint.dns.layered import LayeredResolver
    from spflint.dns.offline import OfflineResolver

    data = tmp_path / "data.yml"
    data.write_text("example.com: []\n")
    first, last = OfflineResolver(ZoneData(source="first")), OfflineResolver(ZoneData())
    dns = DNSSettings((Nameserver("127.0.0.1", 5353),), 0.5, (data,), False, started=10.0)
    resolver = make_resolver(dns, first=[first], before_live=[last])
    assert isinstance(resolver, LayeredResolver)
    assert resolver.offline[0] is first and resolver.offline[-1] is last
    assert len(resolver.offline) == 3
    assert resolver.live is not None
    assert resolver.live.nameservers == [("127.0.0.1", 5353)]
    assert resolver.live.timeout == 0.5  # never more than --timeout
    assert resolver.live.deadline == 10.5
    slow = make_resolver(DNSSettings((Nameserver("127.0.0.1"),), 30.0))
    assert isinstance(slow, LayeredResolver) and slow.live is not None
    assert slow.live.timeout == 2.0
    offline = make_resolver(DNSSettings(offline=True))
    assert isinstance(offline, LayeredResolver) and offline.live is None
