"""``fix --offline`` without data for a name: unknown is not empty, so nothing is dropped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from spflint.cli import main


def test_mx_without_data_is_kept() -> None:
    result = CliRunner().invoke(main, ["fix", "example.com", "--record", "v=spf1 mx a -all",
                                       "--offline", "--host", "none", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"][0]["value"] == "v=spf1 mx a -all"
    assert all(c["kind"] != "remove-redundant" for c in data["changes"])


def test_a_text_that_is_no_spf_record_is_an_input_error() -> None:
    for text in ("", "hello world"):
        result = CliRunner().invoke(main, ["fix", "--record", text])
        assert result.exit_code == 2
        assert "is not an SPF record" in result.output


def test_what_fix_cannot_repair_is_reported(tmp_path: Path) -> None:
    data = tmp_path / "zone.yml"
    data.write_text("example.com: [{TXT: 'v=spf1 include:gone.example -all'}]\n"
                    "gone.example: [{A: 192.0.2.1}]\n")
    result = CliRunner().invoke(main, ["fix", "example.com", "--dns-data", str(data),
                                       "--offline", "--host", "none", "-f", "json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert [d["code"] for d in out["diagnostics"]] == ["SPF212"]
    assert out["records"][0]["value"] == "v=spf1 include:gone.example -all"


def test_mx_whose_exchange_has_no_data_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "zone.yml"
    data.write_text("example.com: [{MX: [10, mail.example.com]}]\n")
    result = CliRunner().invoke(main, ["fix", "example.com", "--record",
                                       "v=spf1 mx ip4:192.0.2.1 -all", "--dns-data", str(data),
                                       "--offline", "--host", "none", "-f", "json"])
    assert json.loads(result.stdout)["records"][0]["value"] == "v=spf1 mx ip4:192.0.2.1 -all"
