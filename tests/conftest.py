"""Shared pytest fixtures: local DNS servers, terse zone data, and the network-test gate."""

from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from spflint.dns.base import NameData, RecordValue, ZoneData
from tests.dnsserver import DNSTestServer

_TEXT_TYPES = ("TXT", "SPF")
_NAME_TYPES = ("A", "AAAA", "PTR", "NS", "CNAME")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "network: needs the public internet (skipped unless SPFLINT_NETWORK_TESTS=1)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SPFLINT_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="network test; set SPFLINT_NETWORK_TESTS=1 to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


def _strings(value: Any) -> tuple[bytes, ...]:
    parts = value if isinstance(value, list) else [value]
    return tuple(p.encode("utf-8") if isinstance(p, str) else bytes(p) for p in parts)


def zonedata_from_dict(d: dict[str, Any], source: str = "test") -> ZoneData:
    """Build ZoneData from the openspf YAML ``zonedata`` shape (name to list of records).

    Each entry is ``{TYPE: value}`` or the bare string ``TIMEOUT`` (``SERVFAIL`` too).
    TXT/SPF as one string is one character-string; as a list, several.
    """
    zone = ZoneData(source=source)
    for raw_name, entries in d.items():
        name = str(raw_name).rstrip(".").lower()
        data = zone.names.setdefault(name, NameData())
        for entry in entries or []:
            if isinstance(entry, str):
                flag = entry.upper()
                if flag == "TIMEOUT":
                    data.timeout = True
                elif flag == "SERVFAIL":
                    data.servfail = True
                else:
                    raise ValueError(f"{name}: unknown bare entry {entry!r}")
                continue
            for rdtype, value in entry.items():
                kind = str(rdtype).upper()
                record: RecordValue
                if kind in _TEXT_TYPES:
                    record = _strings(value)
                elif kind == "MX":
                    pref, host = value
                    record = (int(pref), str(host).rstrip(".").lower())
                elif kind in _NAME_TYPES:
                    text = str(value)
                    record = text if kind in ("A", "AAAA") else text.rstrip(".").lower()
                else:
                    raise ValueError(f"{name}: unsupported record type {rdtype!r}")
                data.records.append((kind, record))
    return zone


@pytest.fixture
def dns_server() -> Iterator[DNSTestServer]:
    """A started DNSTestServer with no data; load() what the test needs."""
    with DNSTestServer() as server:
        yield server


@pytest.fixture
def make_dns_server() -> Iterator[Callable[..., DNSTestServer]]:
    """Factory for started DNSTestServers (same arguments as the class), all stopped after."""
    servers: list[DNSTestServer] = []

    def make(zonedata: ZoneData | dict[str, Any] | None = None, **kwargs: Any) -> DNSTestServer:
        if isinstance(zonedata, dict):
            zonedata = zonedata_from_dict(zonedata)
        server = DNSTestServer(zonedata, **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _sarif_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SARIF log any test produces is checked against the official SARIF 2.1.0 schema."""
    from spflint.report import sarif
    from tests.schema_check import assert_valid_sarif

    produce = sarif.SarifFormatter.format

    def checked(self: sarif.SarifFormatter, report: Any, *, color: bool = False) -> str:
        text = produce(self, report, color=color)
        assert_valid_sarif(text)
        return text

    monkeypatch.setattr(sarif.SarifFormatter, "format", checked)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A UDP port that takes questions and never answers (TCP is refused): a network where
    no DNS server answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def load_script(name: str) -> ModuleType:
    """A script of ``scripts/`` (a generator) loaded as a module, to call its functions."""
    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
