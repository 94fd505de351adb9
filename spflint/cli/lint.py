"""``spflint lint RECORD``: offline syntax and static rules on record text."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import click

from ..errors import InputError
from ..report.base import Report
from .common import emit, exit_code, global_settings, load_settings_config
from .options import FormatSettings, format_options

STDIN_NAME = "<stdin>"
MAX_STDIN_BYTES = 16 * 1024 * 1024  # what ``lint -`` reads at most
MAX_STDIN_RECORDS = 100_000  # records it lints at most


@dataclass(frozen=True)
class LintInput:
    """One record to lint: its text, its TXT strings when known, and where it came from."""

    text: str
    strings: tuple[bytes, ...] | None = None
    line: int | None = None  # line of standard input


def parse_txt_strings(text: str) -> tuple[bytes, ...]:
    """Split TXT presentation format (``"v=spf1 ..." "-all"``) into its character-strings.

    Quoted strings may hold spaces; ``\\X`` escapes X and ``\\DDD`` is a decimal byte, as in
    zone files (RFC 1035 §5.1). Unquoted words are strings too.

    :raises InputError: an unterminated quote or a bad ``\\DDD`` escape.
    """
    out: list[bytes] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        quoted = text[i] == '"'
        if quoted:
            i += 1
        buf = bytearray()
        while True:
            if i >= n:
                if quoted:
                    raise InputError(f"unterminated quoted string in {text!r}")
                break
            ch = text[i]
            if quoted and ch == '"':
                i += 1
                break
            if not quoted and (ch.isspace() or ch == '"'):
                break
            if ch == "\\":
                if i + 1 >= n:
                    raise InputError(f"a backslash ends {text!r}")
                digits = text[i + 1 : i + 4]
                if digits[:1].isdigit():
                    if len(digits) != 3 or not digits.isdigit() or int(digits) > 255:
                        raise InputError(f"bad escape '\\{digits}' in {text!r} "
                                         "(use \\DDD with a decimal byte value)")
                    buf.append(int(digits))
                    i += 4
                    continue
                buf.extend(text[i + 1].encode("utf-8"))
                i += 2
                continue
            buf.extend(ch.encode("utf-8"))
            i += 1
        out.append(bytes(buf))
    if not out:
        raise InputError("no TXT strings given")
    return tuple(out)


def make_input(raw: str, *, strings: bool, line: int | None = None) -> LintInput:
    """A ``LintInput`` for record text, or for TXT presentation when ``strings`` is set."""
    from ..txt import not_utf8

    bad = not_utf8(raw)
    if bad is not None:
        where = "RECORD" if line is None else f"{STDIN_NAME}:{line}"
        raise InputError(f"{where}:{bad[0] + 1}: {bad[1]} is not UTF-8 (a record is ASCII "
                         "text; save or paste it as plain text)")
    if not strings:
        return LintInput(raw, None, line)
    try:
        parts = parse_txt_strings(raw)
    except InputError as exc:
        if line is None:
            raise
        raise InputError(f"{STDIN_NAME}:{line}: {exc.message}") from None
    # RFC 7208 §3.3: the strings of one record are concatenated without adding spaces.
    text = b"".join(parts).decode("utf-8", errors="replace")
    return LintInput(text, parts, line)


def read_stdin_inputs(stream: Any, *, strings: bool) -> list[LintInput]:
    """One input per non-blank line of ``stream``.

    :raises InputError: the stream cannot be read or decoded, or holds no record.
    """
    try:
        # Bytes where there are bytes: what is not UTF-8 is found the same whatever the
        # locale, and reported with its line and column.
        buffer = getattr(stream, "buffer", None)
        raw = (buffer.read(MAX_STDIN_BYTES + 1) if buffer is not None
               else stream.read(MAX_STDIN_BYTES + 1))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read standard input: {exc}") from None
    if len(raw) > MAX_STDIN_BYTES:
        raise InputError(f"standard input is over {MAX_STDIN_BYTES // 2**20} MiB: lint at most "
                         f"{MAX_STDIN_RECORDS:,} records at a time")
    content = (raw.decode("utf-8", errors="surrogateescape") if isinstance(raw, bytes)
               else str(raw))
    inputs: list[LintInput] = []
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        if len(inputs) == MAX_STDIN_RECORDS:
            raise InputError(f"{STDIN_NAME}:{number}: more than {MAX_STDIN_RECORDS:,} records "
                             "on standard input: lint them in parts")
        inputs.append(make_input(line.rstrip("\r"), strings=strings, line=number))
    if not inputs:
        raise InputError("no record on standard input")
    return inputs


def execute(inputs: list[LintInput], config: Any) -> Report:
    """Lint every input and gather one report (``config`` is a ``spflint.config.Config``)."""
    from ..lint import lint_record

    report = Report(command="lint")
    records: list[dict[str, Any]] = []
    for item in inputs:
        result = lint_record(item.text, config, strings=item.strings)
        canonical = result.record.canonical().render() if result.record is not None else None
        entry: dict[str, Any] = {}
        if item.line is not None:
            entry["line"] = item.line
            report.sources[(STDIN_NAME, item.line)] = item.text
            for finding in result.findings:
                located = finding.located(file=STDIN_NAME, line=item.line)
                if item.strings is None and finding.column is not None:
                    # The line is the record: its columns are the line's.
                    located = located.located(file_line=item.line, file_column=finding.column,
                                              file_end_column=finding.end_column)
                report.diagnostics.append(located)
        else:
            report.record_text = item.text
            report.diagnostics.extend(result.findings)
        entry["record"] = item.text
        entry["canonical"] = canonical
        records.append(entry)
    single = records[0] if len(records) == 1 else None
    report.data["record"] = single["record"] if single else None
    report.data["canonical"] = single["canonical"] if single else None
    report.data["records"] = records
    return report


@click.command()
@click.argument("record", metavar="RECORD")
@click.option("--strings", "as_strings", is_flag=True,
              help='RECORD is TXT presentation: quoted strings such as "v=spf1 ..." "-all", '
                   "joined without spaces.")
@format_options
@click.pass_context
def lint(ctx: click.Context, record: str, as_strings: bool, fmt: FormatSettings) -> None:
    """Lint one SPF record offline (no DNS).

    RECORD is the record text, quoted for the shell. With RECORD '-', records are read from
    standard input, one per line; blank lines are ignored.

    \b
    Examples:
      spflint lint 'v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all'
      spflint lint --strings '"v=spf1 ip4:192.0.2.0/24 " "-all"'
      dig +short TXT example.com | grep spf1 | spflint lint --strings -
    """
    config = load_settings_config(ctx, fmt)
    if record == "-":
        inputs = read_stdin_inputs(sys.stdin, strings=as_strings)
    else:
        inputs = [make_input(record, strings=as_strings)]
    report = execute(inputs, config)
    emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(exit_code(report.diagnostics, config.fail_on))
