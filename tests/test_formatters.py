"""The output formats, pinned by snapshots over one shared set of findings."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from spflint import __version__
from spflint.cli import main
from spflint.findings import Edit, Finding, Fix, Severity
from spflint.report import FORMATTERS, Report, get_formatter
from spflint.report.base import (
    Display,
    Note,
    Styled,
    escape_controls,
    json_text,
    statistics_lines,
    unique_findings,
)
from spflint.report.github import (
    GithubFormatter,
    annotation,
    could_be_command,
    escape_data,
    escape_property,
    guard_commands,
)
from spflint.report.sarif import PROJECT_URL, SarifFormatter
from spflint.report.text import TextFormatter, caret_lines, summary_line
from spflint.rules import Registry, Rule

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("SPFLINT_UPDATE_SNAPSHOTS") == "1"

RECORD = "v=spf1 ipv4:192.0.2.1 ptr ~all"
LONG_RECORD = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(12)) + " ptr:x.example -all"
ZONE = "zones/example.com.zone"


def _rule(code: str, name: str, severity: Severity, summary: str) -> Rule:
    doc = f"{summary}\n\n## What it does\nChecks {name}."
    return Rule(code=code, name=name, summary=summary, severity=severity, doc=doc,
                scope="record", check=None)


# A fixed registry keeps the snapshots independent of the wording of the built-in rules.
REGISTRY = Registry([
    _rule("SPF101", "unknown-mechanism", Severity.ERROR, "A term is not a mechanism."),
    _rule("SPF310", "ptr-mechanism", Severity.WARNING, "The record uses ptr."),
    _rule("SPF401", "non-canonical-case", Severity.INFO, "Names are not lower-case."),
])


def shared_report() -> Report:
    """One report exercising every location shape: bare record, zone file, domain only."""
    long_col = LONG_RECORD.index("ptr:") + 1
    findings = [
        Finding("SPF101", "unknown-mechanism", Severity.ERROR, "unknown mechanism 'ipv4'",
                term="ipv4:192.0.2.1", column=8, end_column=22, hint="did you mean 'ip4'?",
                fix=Fix("use ip4", (Edit(7, 11, "ip4"),), safe=False)),
        # The record starts on line 12; its second string, holding the term, is on line 13.
        Finding("SPF310", "ptr-mechanism", Severity.WARNING,
                "ptr is slow, unreliable: 100% of lookups\nmay fail",
                term="ptr", column=23, end_column=26, domain="example.com", file=ZONE, line=12,
                file_line=13, file_column=9, file_end_line=13, file_end_column=12),
        Finding("SPF310", "ptr-mechanism", Severity.WARNING, "ptr is slow and unreliable",
                term="ptr:x.example", column=long_col, end_column=long_col + 13,
                file=ZONE, line=40),
        Finding("SPF401", "non-canonical-case", Severity.INFO, "'Include' is not lower-case",
                term="Include:_spf.example.net", domain="mail.example.org"),
    ]
    return Report(
        command="lint",
        diagnostics=findings,
        data={"record": RECORD, "canonical": None},
        record_text=RECORD,
        sources={(ZONE, 12): RECORD, (ZONE, 40): LONG_RECORD},
        notes=[Note("unknown", "info", "2 external names not checked offline (a.example, "
                    "b.example); `spflint lock` pins them", ("a.example", "b.example"))],
    )


def render(name: str, color: bool = False) -> str:
    formatter = SarifFormatter(REGISTRY) if name == "sarif" else get_formatter(name)
    out = formatter.format(shared_report(), color=color)
    return out.replace(__version__, "<version>")


def check_snapshot(filename: str, actual: str) -> None:
    path = SNAPSHOTS / filename
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {filename} was missing and has been written; rerun")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(FORMATTERS))
def test_snapshot(name: str) -> None:
    check_snapshot(f"findings.{name}", render(name))


def test_snapshot_text_color() -> None:
    check_snapshot("findings.text-color", render("text", color=True))


def test_formats_without_color_contain_no_escape_codes() -> None:
    for name in FORMATTERS:
        assert "\x1b[" not in render(name)
    assert "\x1b[" in render("text", color=True)


def test_text_caret_under_term() -> None:
    out = render("text").splitlines()
    i = out.index("    v=spf1 ipv4:192.0.2.1 ptr ~all")
    assert out[i + 1] == "           ^~~~~~~~~~~~~~"
    assert out[i + 2] == "    hint: did you mean 'ip4'?"
    assert out[-1] == "1 error, 2 warnings, 1 info"


def test_text_prefixes() -> None:
    out = render("text")
    assert f"\n{ZONE}:12: SPF310 [warning] ptr is slow" in out
    assert out.startswith("SPF101 [error] unknown mechanism 'ipv4'\n")
    assert "\nmail.example.org: SPF401 [info] 'Include' is not lower-case\n" in out


@pytest.mark.parametrize("column", [1, 60, 150, 230, 300])
def test_caret_window_keeps_the_caret_visible(column: int) -> None:
    record = "".join(chr(ord("a") + i % 26) for i in range(300))
    shown, carets = caret_lines(record, column, column + 3, width=80)
    assert len(shown) <= 82
    pos = carets.index("^")
    start = pos - (1 if shown.startswith("…") else 0)
    expected = record[column - 1 : column - 1 + 3]
    # The caret sits under the first character of the span, whatever the window.
    assert shown[pos] == expected[0]
    assert shown.startswith("…") == (column > 80 // 3 + 1)
    assert start >= 0
    assert carets.endswith("^~~"[: len(carets) - pos])


def test_caret_short_record_is_not_windowed() -> None:
    assert caret_lines("v=spf1 -all", 8, 12) == ("v=spf1 -all", "       ^~~~")
    # A zero-width span still gets one caret.
    assert caret_lines("v=spf1", 7, 7) == ("v=spf1", "      ^")


def test_caret_control_characters_keep_alignment() -> None:
    shown, carets = caret_lines("v=spf1\tfoo -all", 8, 11)
    assert shown == "v=spf1\\x09foo -all"
    assert carets == "          ^~~"
    assert shown[carets.index("^"):].startswith("foo")


def test_summary_line() -> None:
    assert summary_line([]) == "no problems found"
    one = shared_report().diagnostics[0]
    assert summary_line([one, one]) == "2 errors"


def test_json_document() -> None:
    doc = json.loads(get_formatter("json").format(shared_report()))
    assert list(doc)[:4] == ["spflint", "diagnostics", "record", "canonical"]
    assert doc["spflint"] == __version__
    first = doc["diagnostics"][0]
    assert first["code"] == "SPF101"
    assert first["severity"] == "error"
    assert first["column"] == 8
    assert doc["diagnostics"][1]["file"] == ZONE
    assert doc["diagnostics"][1]["line"] == 12


def test_json_keeps_non_ascii() -> None:
    report = Report("lint", [Finding("SPF101", "n", Severity.ERROR, "bad “quote”")])
    assert "“quote”" in get_formatter("json").format(report)


def test_sarif_structure() -> None:
    log = json.loads(SarifFormatter(REGISTRY).format(shared_report()))
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "spflint"
    assert driver["version"] == __version__
    assert driver["informationUri"] == PROJECT_URL
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == ["SPF101", "SPF310", "SPF401"]
    assert driver["rules"][1]["defaultConfiguration"]["level"] == "warning"
    assert driver["rules"][2]["defaultConfiguration"]["level"] == "note"
    assert driver["rules"][0]["helpUri"].endswith("/docs/rules/SPF101.md")
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SPF101", "SPF310", "SPF310", "SPF401"]
    for res in results:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "note"]
    # A record given on the command line: no file, the record as a logical location and
    # its columns in the result's properties.
    bare = results[0]
    assert "physicalLocation" not in bare["locations"][0]
    assert bare["locations"][0]["logicalLocations"] == [{"name": RECORD, "kind": "resource"}]
    assert bare["properties"] == {"term": "ipv4:192.0.2.1", "column": 8, "end_column": 22}
    # A zone file: the region is the term's place in the file, not the record's column.
    zone_loc = results[1]["locations"][0]
    assert zone_loc["physicalLocation"] == {
        "artifactLocation": {"uri": ZONE},
        "region": {"startLine": 13, "startColumn": 9, "endColumn": 12}}
    assert zone_loc["logicalLocations"][0]["name"] == "example.com"
    assert results[1]["properties"]["column"] == 23
    # Without a file position, the record's line only.
    assert results[2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 40}
    # A domain: a logical location, never a physical one named after the domain.
    domain_loc = results[3]["locations"][0]
    assert "physicalLocation" not in domain_loc
    assert domain_loc["logicalLocations"] == [{
        "name": "mail.example.org", "fullyQualifiedName": "mail.example.org",
        "kind": "resource"}]


def test_sarif_region_across_lines_and_uri_escaping() -> None:
    finding = Finding("SPF310", "ptr-mechanism", Severity.WARNING, "m", term="ptr:a.b",
                      column=60, end_column=67, file="zones/my zone:1.db", line=3,
                      file_line=3, file_column=70, file_end_line=4, file_end_column=5)
    result = json.loads(SarifFormatter(REGISTRY).format(Report("zone", [finding])))
    physical = result["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "zones/my%20zone%3A1.db"
    assert physical["region"] == {"startLine": 3, "startColumn": 70, "endLine": 4,
                                  "endColumn": 5}
    assert annotation(finding).startswith(
        "::warning file=zones/my zone%3A1.db,line=3,endLine=4,col=70,title=")


def test_sarif_unregistered_code_has_no_rule_index() -> None:
    report = Report("check", [Finding("SPF999", "x", Severity.ERROR, "m")])
    result = json.loads(SarifFormatter(REGISTRY).format(report))["runs"][0]["results"][0]
    assert "ruleIndex" not in result
    assert result["ruleId"] == "SPF999"


def test_github_escaping() -> None:
    assert escape_data("100%\r\nx: a,b") == "100%25%0D%0Ax: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotation_shapes() -> None:
    report = shared_report()
    lines = [annotation(f) for f in report.diagnostics]
    assert lines[0] == ("::error title=SPF101 unknown-mechanism::unknown mechanism 'ipv4'"
                        "%0Ain: ipv4:192.0.2.1%0Ahint: did you mean 'ip4'?")
    assert lines[1] == (
        f"::warning file={ZONE},line=13,col=9,endColumn=12,title=SPF310 ptr-mechanism::"
        "ptr is slow, unreliable: 100%25 of lookups%0Amay fail"
    )
    # No file position: the record's line, and no column (record columns are not the file's).
    assert lines[2].startswith(f"::warning file={ZONE},line=40,title=SPF310 ")
    assert lines[3].startswith("::notice title=SPF401 non-canonical-case::mail.example.org: ")


def test_github_property_with_comma_is_escaped() -> None:
    finding = Finding("SPF101", "n", Severity.ERROR, "m", file="a,b:c.zone", line=1)
    assert annotation(finding).startswith("::error file=a%2Cb%3Ac.zone,line=1,title=")


def test_text_body_comes_first() -> None:
    report = Report("check", [], text_body=["example.com", "  include:_spf.example.net"])
    out = get_formatter("text").format(report)
    assert out == "example.com\n  include:_spf.example.net\n\nno problems found\n"
    assert get_formatter("github").format(report) == "example.com\n  include:_spf.example.net\n"


def test_unknown_format() -> None:
    with pytest.raises(KeyError):
        get_formatter("xml")


def test_snapshots_have_no_version() -> None:
    for path in SNAPSHOTS.glob("findings.*"):
        assert not re.search(r"\b" + re.escape(__version__) + r"\b", path.read_text("utf-8"))


def test_result_commands_print_no_summary_without_diagnostics() -> None:
    text = get_formatter("text")
    result = Report(command="query", text_body=["pass (192.0.2.1 ...)"], summary=False)
    assert text.format(result) == "pass (192.0.2.1 ...)\n"
    assert text.format(Report(command="fix", summary=False)) == ""
    finding = Finding("SPF101", "unknown-mechanism", Severity.ERROR, "unknown mechanism")
    with_finding = Report(command="diff", diagnostics=[finding], text_body=["x"], summary=False)
    assert text.format(with_finding).endswith("\n1 error\n")
    assert text.format(Report(command="lint")) == "no problems found\n"


def _format_time(count: int) -> float:
    """The best of three times to format ``count`` findings on one record of ``count`` terms."""
    import time

    terms = [f"ip4:198.51.{i // 256}.{i % 256}" for i in range(count)]
    record = "v=spf1 " + " ".join(terms) + " -all"
    findings = []
    column = len("v=spf1 ") + 1
    for term in terms:
        findings.append(Finding("SPF401", "non-canonical-case", Severity.INFO, "case",
                                term=term, column=column, end_column=column + len(term)))
        column += len(term) + 1
    report = Report(command="lint", diagnostics=findings, record_text=record)
    formatter = get_formatter("text")
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        formatter.format(report)
        best = min(best, time.perf_counter() - started)
    return best


def test_text_format_time_is_linear_in_findings() -> None:
    # Each finding shows a window of the record; sanitising the whole record for every
    # finding made the time grow with the square of the record's length.
    ratio = _format_time(3000) / _format_time(1000)
    assert ratio < 6, ratio


# --- terminal width -----------------------------------------------------------------------

@pytest.mark.parametrize("width", [20, 33, 60, 96, 150, 250])
@pytest.mark.parametrize("column", [1, 9, 40, 77, 120, 180, 211])
def test_caret_window_fits_the_width(width: int, column: int) -> None:
    record = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(14)) + " -all"
    shown, carets = caret_lines(record, column, column + 5, width)
    if len(record) <= width:
        assert shown == record
    else:
        assert len(shown) <= width
        assert "…" in shown
    assert len(carets) <= len(shown)
    # The caret sits under the first character of the span, wherever the window is.
    assert shown[carets.index("^")] == record[column - 1]


def test_caret_window_never_narrower_than_the_minimum() -> None:
    record = "v=spf1 " + "a " * 100 + "-all"
    shown, _carets = caret_lines(record, 100, 101, width=5)
    assert len(shown) == 20


def test_caret_counts_escapes_and_wide_characters() -> None:
    record = "v=spf1 \x1b[2J include:例え.example ptr -all"
    column = record.index("ptr") + 1
    shown, carets = caret_lines(record, column, column + 3)
    assert shown == "v=spf1 \\x1b[2J include:例え.example ptr -all"
    # Each wide character takes two columns: the caret sits under 'ptr' on screen.
    assert len(carets) - 3 == len(shown[:shown.index("ptr")]) + 2
    escaped_at = record.index("\x1b") + 1
    shown, carets = caret_lines(record, escaped_at, escaped_at + 1)
    assert carets == " " * 7 + "^~~~"


def test_caret_window_with_escapes_still_fits() -> None:
    record = "v=spf1 " + "\x07" * 300 + " ptr -all"
    column = record.index("ptr") + 1
    shown, carets = caret_lines(record, column, column + 3, width=60)
    assert len(shown) <= 60
    assert shown[carets.index("^"):].startswith("ptr")
    assert "\x07" not in shown


def test_text_formatter_uses_its_width() -> None:
    report = shared_report()
    for width in (40, 70, 100, 200):
        out = TextFormatter(Display(width=width)).format(report)
        record_lines = [ln for ln in out.splitlines() if ln.startswith("    v=spf1")
                        or ln.startswith("    …")]
        assert record_lines
        assert all(len(ln) <= max(width, len(RECORD) + 4) for ln in record_lines)


# --- escaping -------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text – with “quotes” and →", "plain text – with “quotes” and →"),
    ("\x1b[2Jclear", "\\x1b[2Jclear"),
    ("bell\x07 nul\x00 del\x7f", "bell\\x07 nul\\x00 del\\x7f"),
    ("csi\x9b31m", "csi\\x9b31m"),
    ("cr\rlf\n", "cr\\x0dlf\\x0a"),
    ("tab\tkept", "tab\tkept"),
    ("bidi \u202eevil", "bidi \\u202eevil"),
    ("tag \U000e0041", "tag \\U000e0041"),
])
def test_escape_controls(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown


HOSTILE = "\x1b]0;title\x07\x1b[2J\r::error::x ##[warning]y\x9b1m\u202e"


def hostile_report() -> Report:
    """Every text field a report carries, each holding control characters."""
    finding = Finding("SPF101", "unknown-mechanism", Severity.ERROR, f"unknown {HOSTILE}",
                      term=f"t{HOSTILE}", column=8, end_column=12, domain=f"d{HOSTILE}",
                      file=f"zones/a\r\n::error::b{HOSTILE}.zone", line=3,
                      hint=f"h{HOSTILE}")
    bare = Finding("SPF102", "x", Severity.WARNING, "m", term=f"t{HOSTILE}",
                   domain=f"d{HOSTILE}", hint=f"h{HOSTILE}")
    return Report(
        command="check", diagnostics=[finding, bare],
        sources={(finding.file, 3): f"v=spf1 {HOSTILE} -all"},
        text_body=[f"body {HOSTILE}", Styled("styled ", (HOSTILE, "1;31"))],
        text_footer=[f"footer {HOSTILE}"],
        notes=[Note("unknown", "info", f"note {HOSTILE}"),
               Note("dns-outage", "error", f"outage {HOSTILE}")],
        summary_text=f"summary {HOSTILE}")


def _control_free(text: str, *, sgr: bool = False) -> None:
    """No control character but line breaks (and, with ``sgr``, the formatter's colours)."""
    if sgr:
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert all(ch == "\n" or ch.isprintable() for ch in text), repr(text)


@pytest.mark.parametrize("color", [False, True])
def test_text_escapes_every_field(color: bool) -> None:
    out = TextFormatter(Display(statistics=True)).format(hostile_report(), color=color)
    _control_free(out, sgr=color)
    assert "\\x1b[2J" in out and "\\x0d\\x0a::error::b" in out
    lines = out.splitlines()
    assert len(lines) == len(out.split("\n")) - 1  # no line broken by the hostile texts
    assert not any(could_be_command(line) and line.startswith("::") for line in lines)


def test_text_styled_line_is_coloured_part_by_part() -> None:
    report = Report("check", text_body=[Styled("a ", ("b", "1;31"), " c")], summary=False)
    assert TextFormatter().format(report) == "a b c\n"
    assert TextFormatter().format(report, color=True) == "a \x1b[1;31mb\x1b[0m c\n"
    assert Styled("a ", ("b", "1;31")) == "a b"


@pytest.mark.parametrize("name", list(FORMATTERS))
def test_every_format_survives_hostile_text(name: str) -> None:
    formatter = SarifFormatter(REGISTRY) if name == "sarif" else get_formatter(name)
    out = formatter.format(hostile_report())
    if name in ("json", "sarif"):
        json.loads(out)  # the document stays valid; JSON escapes C0 controls itself
    else:
        _control_free(out)


# --- GitHub workflow commands --------------------------------------------------------------

@pytest.mark.parametrize(("line", "command"), [
    ("::error::x", True),
    ("   ::warning file=a::x", True),
    ("\t::add-mask::secret", True),
    ("a line with ##[error]inside", True),
    ("##[group]title", True),
    ("::/0: fail → softfail", False),
    ("::ffff:192.0.2.0/120: pass → fail", False),
    ("2001:db8::/32: pass → fail", False),
    ("::: not a name ::", False),
    ("##[ not a command", False),
    ("plain line", False),
])
def test_could_be_command(line: str, command: bool) -> None:
    assert could_be_command(line) is command


def test_github_fences_body_lines_that_could_be_commands() -> None:
    report = Report("query", text_body=["pass", "  explanation: ::error::injected",
                                        "##[warning]also"], summary=False)
    tokens = iter(["explanation", "f00d"])  # the first is in the text: drawn again
    lines = GithubFormatter().format(report).splitlines()
    assert lines[0].startswith("::stop-commands::") and len(lines[0]) > 40
    token = lines[0].split("::")[2]
    assert lines[-1] == f"::{token}::"
    assert lines[1:-1] == ["pass", "  explanation: ::error::injected", "##[warning]also"]
    fenced = guard_commands(["::error::explanation"], token=lambda: next(tokens))
    assert fenced == ["::stop-commands::f00d", "::error::explanation", "::f00d::"]


def test_github_leaves_harmless_body_lines_alone() -> None:
    report = Report("diff", text_body=["::/0: fail → softfail", "note: x"], summary=False)
    assert GithubFormatter().format(report) == "::/0: fail → softfail\nnote: x\n"


def test_github_prints_the_footer_too() -> None:
    report = Report("check", text_body=["tree"], text_footer=["192.0.2.1: pass"])
    assert GithubFormatter().format(report) == "tree\n192.0.2.1: pass\n"


def test_github_hostile_annotation() -> None:
    lines = GithubFormatter().format(hostile_report()).splitlines()
    first = next(line for line in lines if line.startswith("::error file="))
    props, _sep, message = first[len("::error "):].partition("::")
    # CR LF, ':' and ',' in the file name are escaped as the toolkit does; no line breaks.
    assert props.startswith("file=zones/a%0D%0A%3A%3Aerror%3A%3Ab\\x1b]0;title\\x07")
    assert "\r" not in first and "\x1b" not in first
    assert message.startswith("unknown \\x1b]0;title\\x07\\x1b[2J\\x0d::error::x")
    assert "%0Ahint: h\\x1b" in message
    # Every line is an annotation, a note, or inside a stop-commands fence.
    fenced = lines.index(next(ln for ln in lines if ln.startswith("::stop-commands::")))
    token = lines[fenced].split("::")[2]
    end = lines.index(f"::{token}::")
    for line in lines[end + 1:]:
        assert line.startswith(("::error ", "::warning ", "::notice "))


def test_github_quiet_and_statistics() -> None:
    out = GithubFormatter(Display(quiet=True, statistics=True)).format(shared_report())
    assert not any(ln.startswith("::notice title=spflint") for ln in out.splitlines())
    assert out.splitlines()[-3:] == ["2  SPF310  ptr-mechanism", "1  SPF101  unknown-mechanism",
                                     "1  SPF401  non-canonical-case"]


# --- quiet, statistics, repeats ------------------------------------------------------------

def test_quiet_keeps_findings_and_errors_only() -> None:
    report = hostile_report()
    out = TextFormatter(Display(quiet=True)).format(report)
    assert "body" not in out and "footer" not in out and "note:" not in out
    assert "error: outage" in out and "SPF101" in out
    assert out.rstrip("\n").splitlines()[-1].startswith("summary ")


def test_quiet_prints_nothing_when_clean() -> None:
    clean = Report("lint", text_body=["tree"], text_footer=["footer"],
                   notes=[Note("unknown", "info", "names not checked")])
    assert TextFormatter(Display(quiet=True)).format(clean) == ""
    assert TextFormatter().format(clean).endswith("no problems found\n")
    result = Report("query", text_body=["pass (...)"], summary=False)
    assert TextFormatter(Display(quiet=True)).format(result) == ""


def test_statistics_come_before_the_summary() -> None:
    out = TextFormatter(Display(statistics=True)).format(shared_report()).splitlines()
    assert out[-5:] == ["2  SPF310  ptr-mechanism", "1  SPF101  unknown-mechanism",
                        "1  SPF401  non-canonical-case", "", "1 error, 2 warnings, 1 info"]
    assert statistics_lines([]) == []


def test_statistics_align_large_counts() -> None:
    many = [Finding("SPF314", "non-routable-range", Severity.WARNING, "m")] * 12
    one = [Finding("SPF101", "unknown-mechanism", Severity.ERROR, "m", line=1)]
    assert statistics_lines(many + one) == ["12  SPF314  non-routable-range",
                                            " 1  SPF101  unknown-mechanism"]


def test_the_same_finding_is_printed_once() -> None:
    finding = shared_report().diagnostics[1]
    copy = finding.located()
    report = Report("zone", [finding, copy], sources={(ZONE, 12): RECORD})
    out = TextFormatter().format(report)
    assert out.count("SPF310") == 1
    assert out.endswith("1 warning\n")
    assert GithubFormatter().format(report).count("::warning") == 1
    assert unique_findings([finding, copy]) == [finding]


def test_a_hint_is_printed_once() -> None:
    findings = [Finding("SPF314", "non-routable-range", Severity.WARNING, f"range {i}",
                        hint="list the public address", file="z", line=i) for i in range(3)]
    other = Finding("SPF101", "unknown-mechanism", Severity.ERROR, "m", hint="other", line=9)
    out = TextFormatter().format(Report("zone", [*findings, other]))
    assert out.count("hint: list the public address") == 1
    assert out.count("hint: other") == 1
    assert out.index("hint: list") < out.index("range 1")


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8))
def test_json_text_is_printable_and_decodes_to_the_same_value(value: object) -> None:
    text = json_text(value)
    assert json.loads(text) == value
    assert "##[" not in text
    assert all(ch.isprintable() or ch in "\n " for ch in text)


def test_json_output_cannot_issue_a_runner_command() -> None:
    result = CliRunner().invoke(main, ["lint", "--format", "json",
                                       "v=spf1 exists:##[error]x.example -all"])
    assert "##[" not in result.output
    assert "##[error]" in json.dumps(json.loads(result.output))
