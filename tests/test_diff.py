"""``spflint diff``: record texts and domains, text and JSON output, --fail-on-change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from spflint import __version__
from spflint.cli import main
from tests.dnsserver import DNSTestServer

DEMO = str(Path(__file__).resolve().parent.parent / "spflint" / "data" / "demo.yml")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args])


def test_text_lines_show_range_and_results() -> None:
    result = run("v=spf1 ip4:198.51.100.0/24 -all", "v=spf1 ip4:198.51.100.0/25 -all")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Terms (OLD → NEW):",
        "  ~ ip4:198.51.100.0/24 → ip4:198.51.100.0/25",
        "Results that change:",
        "  pass → fail: 1 range, 128 IPv4 addresses",
        "Ranges (1):",
        "  198.51.100.128/25: pass → fail",
    ]


def test_no_change() -> None:
    result = run("v=spf1 ip4:198.51.100.0/25 ip4:198.51.100.128/25 -all",
                 "v=spf1 +ip4:198.51.100.0/24 -all", "--fail-on-change")
    assert result.exit_code == 0
    assert "no change" in result.output


def test_fail_on_change_exits_1() -> None:
    result = run("v=spf1 -all", "v=spf1 ~all", "--fail-on-change")
    assert result.exit_code == 1
    assert "0.0.0.0/0: fail → softfail" in result.output
    assert "::/0: fail → softfail" in result.output


def test_json_contract() -> None:
    result = run("-f", "json", "v=spf1 ip4:192.0.2.0/24 ~all", "v=spf1 ip4:192.0.2.0/24 -all")
    doc = json.loads(result.output)
    assert doc["spflint"] == __version__ and doc["diagnostics"] == []
    assert {"range": "0.0.0.0/1", "before": "softfail", "after": "fail"}.items() \
        <= doc["changes"][0].items()
    assert all({"range", "before", "after"} <= set(c) for c in doc["changes"])


def test_dynamic_steps_are_reported() -> None:
    result = run("v=spf1 ip4:192.0.2.0/24 ptr -all", "v=spf1 ip4:192.0.2.0/24 -all")
    assert "dynamic (if ptr matches: pass; else: fail) → fail" in result.output
    assert "dynamic steps" in result.output
    doc = json.loads(run("-f", "json", "v=spf1 ptr -all", "v=spf1 -all").output)
    assert doc["changes"][0]["before"] == "dynamic"
    assert doc["old"]["dynamic"] == ["ptr"]


def test_domain_against_record_with_demo_data() -> None:
    result = run("--offline", "--dns-data", DEMO, "fabrikam.example",
                 "v=spf1 include:spf.protection.outlook.com ip4:203.0.113.25 a ~all")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("11 DNS lookups" in line for line in lines)
    # The summary comes first: the terms, then the result changes by kind, biggest first.
    assert lines[:9] == ["Terms (OLD → NEW):", "  - include:_spf.google.com",
                         "  - include:sendgrid.net", "  - include:servers.mcsv.net",
                         "  - include:mail.zendesk.com", "  - include:amazonses.com", "  - mx",
                         "  - ip4:198.51.100.0/24", "  + ip4:203.0.113.25"]
    results = lines[lines.index("Results that change:") + 1 :]
    assert results[0].startswith("  permerror → softfail: 678 ranges, 4,293,907,198 IPv4 "
                                 "addresses (>99.9% of IPv4) and >99.9% of IPv6; largest ")
    assert results[1] == ("    why: OLD reaches its 11th DNS lookup before it matches these"
                          " addresses (limit 10: permerror)")
    assert results[2].startswith("  pass → softfail: 44 ranges, 568,576 IPv4 addresses")
    # Then the first 20 ranges of 724, and how to see the rest.
    start = lines.index("Ranges (724):")
    assert lines[start + 21] == ("  ... 704 more ranges (--all lists every one; --format json"
                                 " has them all)")
    everything = run("--all", "--offline", "--dns-data", DEMO, "fabrikam.example",
                     "v=spf1 include:spf.protection.outlook.com ip4:203.0.113.25 a ~all")
    listed = everything.output.splitlines()
    assert "  167.89.0.0/17: pass → softfail" in listed  # sendgrid dropped
    # The demo's 11th lookup is a permerror for every address that reaches it: receivers
    # give the printer permerror today, and the new record passes it.
    assert "  203.0.113.25/32: permerror → pass" in listed
    assert sum(1 for line in listed if re.fullmatch(r"  \S+/\d+: .+ → .+", line)) == 724


def test_summary_only() -> None:
    result = run("--summary", "--offline", "--dns-data", DEMO, "fabrikam.example",
                 "v=spf1 include:spf.protection.outlook.com ip4:203.0.113.25 a ~all")
    assert result.exit_code == 0, result.output
    assert "Ranges" not in result.output and "/17: " not in result.output
    assert "724 ranges change (leave out --summary to list them)" in result.output
    doc = json.loads(run("--summary", "-f", "json", "--offline", "--dns-data", DEMO,
                         "fabrikam.example", "v=spf1 ip4:203.0.113.25 a ~all").stdout)
    # JSON always has every range, and the summary beside them.
    assert len(doc["changes"]) > 100
    groups = doc["summary"]["results"]
    assert sum(g["ranges"] for g in groups) == len(doc["changes"])
    assert groups[0]["reason"].startswith("OLD reaches its 11th DNS lookup")
    assert {"change": "removed", "before": "mx", "after": None} in doc["summary"]["terms"]
    assert run("--summary", "--all", "v=spf1 -all", "v=spf1 ~all").exit_code == 2


def test_term_changes() -> None:
    from spflint.diffsummary import term_changes
    from spflint.parser import parse_record

    old = parse_record("v=spf1 a mx:m.example include:x.example ip4:192.0.2.0/24 -all "
                       "exp=e.example")
    new = parse_record("v=spf1 mx:m.example/24 a ip4:192.0.2.0/25 include:y.example ~all "
                       "redirect=r.example")
    shown = [change.text() for change in term_changes(old, new)]
    assert shown == ["- include:x.example", "- exp=e.example",
                     "~ mx:m.example → mx:m.example/24",
                     "~ ip4:192.0.2.0/24 → ip4:192.0.2.0/25", "~ -all → ~all",
                     "↕ a (moved)", "+ include:y.example", "+ redirect=r.example"]
    assert term_changes(old, old) == []


def test_result_groups_count_addresses() -> None:
    result = run("-f", "json", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
                 "v=spf1 ip4:192.0.2.0/25 ~all")
    groups = json.loads(result.stdout)["summary"]["results"]
    by_pair = {(g["before"], g["after"]): g for g in groups}
    moved = by_pair[("pass", "softfail")]
    assert moved["ipv4_addresses"] == 128 and moved["ipv6_addresses"] == str(2**96)
    assert moved["largest"][0] == "2001:db8::/32"
    rest = by_pair[("fail", "softfail")]
    assert rest["ipv4_addresses"] == 2**32 - 256
    assert groups[0] is rest or groups[0] == rest  # the biggest first


def test_bad_input_exits_2() -> None:
    result = run("v=spf1 ipv4:192.0.2.1 -all", "v=spf1 -all")
    assert result.exit_code == 2
    assert "cannot parse" in result.output
    assert run("not a domain!", "v=spf1 -all").exit_code == 2


def test_over_the_test_dns_server(dns_server: DNSTestServer) -> None:
    from tests.conftest import zonedata_from_dict

    dns_server.load(zonedata_from_dict({
        "old.example.test": [{"TXT": "v=spf1 include:inc.example.test -all"}],
        "new.example.test": [{"TXT": "v=spf1 ip4:192.0.2.0/25 -all"}],
        "inc.example.test": [{"TXT": "v=spf1 ip4:192.0.2.0/24 ~all"}],
    }))
    result = run("--nameserver", dns_server.address, "old.example.test", "new.example.test")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["Terms (OLD → NEW):", "  - include:inc.example.test",
                         "  + ip4:192.0.2.0/25"]
    assert "  192.0.2.128/25: pass → fail" in lines


def test_text_has_no_summary_line_and_shared_formats() -> None:
    text = run("v=spf1 -all", "v=spf1 ~all")
    assert text.exit_code == 0
    assert "no problems found" not in text.output
    github = run("--format", "github", "v=spf1 -all", "v=spf1 ~all")
    assert github.stdout == text.stdout
    sarif = run("--format", "sarif", "v=spf1 -all", "v=spf1 ~all")
    assert sarif.exit_code == 0 and json.loads(sarif.stdout)["version"] == "2.1.0"
    # diff reports no findings: --fail-on would do nothing, so it is refused.
    assert run("--fail-on", "info", "v=spf1 -all", "v=spf1 ~all").exit_code == 2


@pytest.mark.parametrize("behaviour", ["servfail", "timeout"])
@pytest.mark.parametrize("side", ["old", "new"])
def test_dns_failure_is_exit_3_not_a_verdict(dns_server: DNSTestServer, behaviour: str,
                                            side: str) -> None:
    from tests.conftest import zonedata_from_dict

    dns_server.load(zonedata_from_dict({
        "good.example.test": [{"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}],
        "inc.example.test": [{"TXT": "v=spf1 ip4:192.0.2.0/24 -all"}],
    }))
    dns_server.set_behaviour("inc.example.test", behaviour)
    failing = "v=spf1 include:inc.example.test -all"
    old, new = (failing, "good.example.test") if side == "old" else ("good.example.test",
                                                                     failing)
    result = CliRunner().invoke(main, ["diff", "--nameserver", dns_server.address,
                                       "--timeout", "1", old, new],
                                env={"SPFLINT_NAMESERVER": None})
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("spflint: error: DNS lookups failed")
    assert "inc.example.test" in result.stderr


def test_timeout_is_the_limit_for_the_whole_run(dns_server: DNSTestServer) -> None:
    import time

    for name in ("a.example.test", "b.example.test"):
        dns_server.set_behaviour(name, "timeout")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["diff", "--nameserver", dns_server.address,
                                       "--timeout", "1", "a.example.test", "b.example.test"],
                                env={"SPFLINT_NAMESERVER": None})
    elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert elapsed < 2.5, elapsed


def test_summary_lookups_past_the_limit_do_not_fail_the_diff(dns_server: DNSTestServer) -> None:
    from tests.conftest import zonedata_from_dict

    data: dict[str, list[dict[str, str]]] = {
        f"i{n}.example.test": [{"TXT": f"v=spf1 ip4:198.51.100.{n} -all"}] for n in range(10)}
    includes = " ".join(f"include:i{n}.example.test" for n in range(10))
    data["old.example.test"] = [{"TXT": f"v=spf1 {includes} include:late.example.test -all"}]
    dns_server.load(zonedata_from_dict(data))
    # Receivers never ask for the 11th include; only the summary's look without the limit does.
    dns_server.set_behaviour("late.example.test", "timeout")
    result = CliRunner().invoke(main, ["diff", "--nameserver", dns_server.address,
                                       "--timeout", "3", "old.example.test",
                                       "v=spf1 ip4:198.51.100.0/24 -all"],
                                env={"SPFLINT_NAMESERVER": None})
    assert result.exit_code == 0, result.output
    assert "why: OLD reaches its 11th DNS lookup" in result.output
    assert "  - include:late.example.test" in result.output
    assert dns_server.count("late.example.test", "TXT") >= 1  # asked, timed out, no matter
