"""``spflint query``: the RFC 7208 ``check_host()`` result for one IP, sender and HELO."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

import click

from .. import __version__
from ..dns.base import Resolver
from ..errors import InputError
from ..evaluate import (
    SpfResult,
    check_host,
    identity,
    parse_ip,
    received_spf,
)
from ..macros import IPAddress
from ..report.base import Report, json_text
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..semantics import MAX_VOID_LOOKUPS as VOID_LIMIT
from .common import emit, exit_code, global_settings, load_settings_config
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver

# The longest IP address text looked at: an IPv6 address with an IPv4 tail is 45 characters.
MAX_IP_TEXT = 64


@dataclass(frozen=True)
class QueryInput:
    """One question: the client IP, MAIL FROM, HELO and the domain to check."""

    ip: IPAddress
    sender: str  # as given ("" for the null reverse-path)
    helo: str | None
    domain: str
    check_sender: str  # the <sender> check_host() receives
    identity: str  # "mailfrom" or "helo"


def _control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def make_input(ip: str | None, sender: str | None, helo: str | None,
               domain: str | None) -> QueryInput:
    """Check and combine one question's values.

    Whatever RFC 7208 evaluates is accepted: a sender or HELO whose domain is malformed (a
    64-octet label, an empty label, a domain literal, words with spaces) is evaluated, and
    ``check_host()`` gives ``none`` (§4.3) or whatever the policy makes of ``%{h}`` (§7.1).
    Only what leaves nothing to evaluate is refused.

    :raises InputError: a missing or invalid IP, neither sender nor HELO, or control
        characters (which no SMTP session can carry) or text that is not Unicode in them.
    """
    if ip is None or not str(ip).strip():
        raise InputError("an IP address is needed (--ip)")
    if len(ip) > MAX_IP_TEXT:
        raise InputError(f"invalid IP address {ip[:MAX_IP_TEXT]!r}… ({len(ip)} characters)")
    if _surrogate(ip):
        raise InputError(f"invalid IP address {ip!r}: it is not valid UTF-8 text")
    address = parse_ip(str(ip))
    for what, value in (("HELO name", helo), ("sender", sender), ("domain", domain)):
        if value is not None and _control(value):
            raise InputError(f"invalid {what} {value!r}: it contains control characters")
        if value is not None and _surrogate(value):
            # A lone surrogate (from bytes that are not UTF-8, or a JSON \ud800 escape) is
            # no text a mail server could have received, nor one that can be printed.
            raise InputError(f"invalid {what} {value!r}: it is not valid UTF-8 text")
    if domain is not None and not domain.strip():
        raise InputError("an empty domain: name the domain to check, or leave it out to "
                         "check the sender's (or HELO's) domain")
    sender = sender or ""
    if not sender and not helo:
        raise InputError("a sender (--sender) or a HELO name (--helo) is needed")
    default_domain, check_sender = identity(sender, helo)
    target = default_domain if domain is None else domain
    return QueryInput(address, sender, helo, target, check_sender,
                      "mailfrom" if sender else "helo")


async def run_one(item: QueryInput, resolver: Resolver, *, receiver: str,
                  timeout: float | None) -> SpfResult:
    """``check_host()`` for one question."""
    return await check_host(item.ip, item.domain, item.check_sender, resolver=resolver,
                            helo=item.helo, receiver=receiver, timeout=timeout)


def result_data(item: QueryInput, result: SpfResult, *, receiver: str,
                header: bool) -> dict[str, Any]:
    """The command's JSON keys for one result, the contract's first."""
    data: dict[str, Any] = dict.fromkeys(("result", "explanation", "lookups", "void_lookups"))
    data.update(result.to_dict())
    # The sender as given ("" for a bounce), not the one check_host() was handed.
    data.update(sender=item.sender, helo=item.helo, identity=item.identity)
    if header:
        data["header"] = header_line(item, result, receiver)
    return data


def header_line(item: QueryInput, result: SpfResult, receiver: str) -> str:
    return received_spf(result, receiver=receiver, identity=item.identity,
                        envelope_from=item.sender)


def text_lines(item: QueryInput, result: SpfResult, *, receiver: str,
               header: bool) -> list[str]:
    """Human-readable lines; the first word of the first is the result word."""
    verdicts = {
        "pass": "is allowed to send for",
        "fail": "is not allowed to send for",
        "softfail": "is probably not allowed to send for",
        "neutral": "is neither allowed nor denied by",
        "none": "gets no SPF verdict from",
        "permerror": "meets a permanent error in the SPF policy of",
        "temperror": "could not be checked now against",
    }
    lines = [f"{result.result} ({result.ip} {verdicts[result.result]} {result.domain})"]
    if result.matched is not None:
        lines.append(f"  matched: {result.matched.term} in the record of {result.matched.domain}")
    for domain, term in result.path:
        lines.append(f"  via: {term} (in {domain})")
    if result.explanation is not None:
        lines.append(f"  explanation: {result.explanation}")
    if result.problem:
        lines.append(f"  problem: {result.problem}")
    lines.append(f"  lookups: {result.lookups}/{LOOKUP_LIMIT}, void lookups: "
                 f"{result.void_lookups}/{VOID_LIMIT}, DNS queries: {result.queries}")
    if header:
        lines.append(header_line(item, result, receiver))
    return lines


# --- --batch ---------------------------------------------------------------------------------

MAX_LINE = 16 * 1024  # octets in one batch line; a question needs a few hundred at most
MAX_SKIPPED = 16 * 1024 * 1024  # octets of one over-long line passed over before giving up
BATCH_FIELDS = ("ip", "sender", "helo", "domain")


@dataclass
class BatchSummary:
    """What a batch answered: questions per result word, and the lines that were no
    question (``errors``, by line number)."""

    results: Counter[str] = field(default_factory=Counter)
    errors: list[int] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return sum(self.results.values()) + len(self.errors)

    def text(self) -> str:
        """For example ``batch: 5 lines answered: 3 pass, 1 fail, 1 error (line 4)``."""
        parts = [f"{count} {word}" for word, count in sorted(
            self.results.items(), key=lambda item: (-item[1], item[0]))]
        if self.errors:
            shown = ", ".join(str(n) for n in self.errors[:5])
            more = ", …" if len(self.errors) > 5 else ""
            label = "line" if len(self.errors) == 1 else "lines"
            parts.append(f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}"
                         f" ({label} {shown}{more})")
        count = self.questions
        head = f"batch: {count} line{'' if count == 1 else 's'} answered"
        return f"{head}: {', '.join(parts)}" if parts else head


def _batch_error(number: int, message: str) -> dict[str, Any]:
    return {"spflint": __version__, "diagnostics": [], "line": number, "error": message}


def _question(number: int, fields: dict[str, str | None]) -> QueryInput | dict[str, Any]:
    try:
        return make_input(fields["ip"], fields["sender"], fields["helo"], fields["domain"])
    except InputError as exc:
        return _batch_error(number, exc.message)


def _json_item(number: int, line: str) -> QueryInput | dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return _batch_error(number, f"not JSON: {exc.msg} (at column {exc.colno})")
    except RecursionError:
        return _batch_error(number, "not a question: JSON nested too deeply")
    except ValueError:  # an integer of thousands of digits
        return _batch_error(number, "not a question: a JSON number too long to read")
    if not isinstance(value, dict):
        return _batch_error(number, "expected a JSON object with ip, sender and helo")
    unknown = set(value) - set(BATCH_FIELDS)
    if unknown:
        shown = ", ".join(sorted(repr(k) if _surrogate(k) else k for k in unknown))
        return _batch_error(number, f"unknown keys: {shown}")
    fields = {k: value.get(k) for k in BATCH_FIELDS}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        return _batch_error(number, "ip, sender, helo and domain must be strings")
    return _question(number, fields)


class CsvColumns:
    """The header row of a CSV batch: which column holds which field."""

    def __init__(self, number: int, line: str, source: str = "-") -> None:
        """:raises InputError: the header names no ``ip`` column, an unknown or repeated
        column, or neither ``sender`` nor ``helo`` (``source`` names the input)."""
        # A spreadsheet's CSV export may start with a byte order mark.
        names = [name.strip().lower() for name in _csv_row(line.lstrip("\ufeff")) or []]
        where = f"{source}:{number}"
        unknown = [n for n in names if n not in BATCH_FIELDS]
        if unknown:
            raise InputError(f"{where}: unknown CSV column {unknown[0]!r} (the header row names"
                             f" the columns: {', '.join(BATCH_FIELDS)})")
        if len(set(names)) != len(names):
            raise InputError(f"{where}: a CSV column is named twice in the header row")
        if "ip" not in names or not {"sender", "helo"} & set(names):
            raise InputError(f"{where}: the CSV header row needs an ip column and a sender or"
                             " helo column (for example: ip,sender,helo)")
        self.names = names

    def item(self, number: int, line: str) -> QueryInput | dict[str, Any]:
        """The question on one data row; an empty ``helo`` or ``domain`` cell is absent, an
        empty ``sender`` the null reverse-path."""
        row = _csv_row(line)
        if row is None:
            return _batch_error(number, "not a CSV row: a quoted field is not closed")
        if len(row) != len(self.names):
            return _batch_error(number, f"expected {len(self.names)} CSV fields"
                                        f" ({','.join(self.names)}), found {len(row)}")
        cells = dict(zip(self.names, row, strict=True))
        fields: dict[str, str | None] = {
            "ip": cells.get("ip"), "sender": cells.get("sender"),
            "helo": cells.get("helo") or None, "domain": cells.get("domain") or None}
        return _question(number, fields)


def _csv_row(line: str) -> list[str] | None:
    """One CSV record on one line (RFC 4180 quoting); None when a quote is left open."""
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def _decode(raw: bytes | str) -> str | None:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def bounded_lines(stream: BinaryIO, limit: int = MAX_LINE) -> Iterator[bytes | None]:
    """The lines of ``stream``; None for a line longer than ``limit`` octets (its text is
    skipped without being held in memory).

    :raises InputError: a line runs on for more than :data:`MAX_SKIPPED` octets (a device
        such as ``/dev/zero``, a binary file): the input is not lines of questions.
    """
    number = 0
    while True:
        line = stream.readline(limit + 1)
        number += 1
        if not line:
            return
        if line.endswith(b"\n") or len(line) <= limit:
            yield line
            continue
        skipped = len(line)
        while line and not line.endswith(b"\n"):
            if skipped > MAX_SKIPPED:
                raise InputError(f"--batch line {number}: no line end in "
                                 f"{MAX_SKIPPED // 2**20} MiB; the input is not lines of "
                                 "questions")
            line = stream.readline(limit + 1)
            skipped += len(line)
        yield None


async def run_batch(lines: Iterable[bytes | str | None], out: TextIO, resolver: Resolver, *,
                    receiver: str, timeout: float | None, header: bool,
                    csv_input: bool = False, source: str = "-") -> BatchSummary:
    """Answer each question of ``lines`` (JSON lines, or CSV rows after a header row) with
    one JSON line on ``out``, in order; what was answered. ``source`` names the input in
    error messages.

    A line that is not a question (not UTF-8, not JSON, longer than :data:`MAX_LINE`, a bad
    value) is answered with an error object and the batch goes on. Blank lines are skipped.

    :raises InputError: a CSV header row that cannot be used.
    """
    summary = BatchSummary()
    columns: CsvColumns | None = None
    for number, raw in enumerate(lines, start=1):
        text = None if raw is None else _decode(raw)
        item: QueryInput | dict[str, Any]
        if raw is None:
            item = _batch_error(number, f"line longer than {MAX_LINE} octets")
        elif text is None:
            item = _batch_error(number, "not UTF-8 text")
        elif not text.strip():
            continue
        elif csv_input and columns is None:
            columns = CsvColumns(number, text.strip("\r\n"), source)
            continue
        elif columns is not None:
            item = columns.item(number, text.strip("\r\n"))
        else:
            item = _json_item(number, text.strip())
        if isinstance(item, dict):
            record = item
            summary.errors.append(number)
        else:
            result = await run_one(item, resolver, receiver=receiver, timeout=timeout)
            record = {"spflint": __version__, "diagnostics": [], "line": number,
                      **result_data(item, result, receiver=receiver, header=header)}
            summary.results[result.result] += 1
        out.write(json_text(record, indent=None) + "\n")
        out.flush()
    return summary


def _check_batch_file(batch: BinaryIO) -> None:
    """Refuse a device named as ``--batch FILE`` (``/dev/urandom`` would never end); a pipe
    or a regular file is read as it comes, and standard input whatever it is.

    :raises InputError: ``batch`` is a block or character device.
    """
    import stat

    if str(getattr(batch, "name", "-")) in ("-", "<stdin>"):
        return
    try:
        mode = os.fstat(batch.fileno()).st_mode
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return  # not a file descriptor (a test's in-memory stream)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(f"--batch {getattr(batch, 'name', '-')}: a device, not a file of "
                         "questions")


def batch_is_csv(batch_format: str | None, name: str) -> bool:
    """Whether a batch is CSV: ``--batch-format``, else a ``.csv`` file name."""
    if batch_format is not None:
        return batch_format == "csv"
    return name.lower().endswith(".csv")


@click.command()
@click.option("--ip", "ip_text", metavar="IP", help="The connecting client's IPv4 or IPv6 address.")
@click.option("--sender", metavar="ADDR", default=None,
              help="MAIL FROM address; empty ('') for bounces, which checks HELO instead.")
@click.option("--helo", metavar="NAME", default=None, help="The HELO/EHLO name of the client.")
@click.option("--domain", metavar="DOMAIN", default=None,
              help="Check this domain [default: the sender's domain, or HELO without sender].")
@click.option("--receiver", metavar="HOST", default="unknown", show_default=True,
              help="The receiving host's name (for %{r} and the header).")
@click.option("--header", "with_header", is_flag=True,
              help="Also print a Received-SPF: header field (RFC 7208 §9.1).")
@click.option("--batch", "batch", metavar="FILE", type=click.File("rb"),
              default=None,
              help="Read questions from FILE ('-' for stdin): JSON lines {\"ip\", \"sender\", "
                   "\"helo\"}, or CSV with a header row; write one JSON line for each.")
@click.option("--batch-format", type=click.Choice(["jsonl", "csv"]), default=None,
              help="The --batch input format [default: csv for a FILE ending in .csv, "
                   "else jsonl].")
@dns_options
@format_options
@click.pass_context
def query(ctx: click.Context, ip_text: str | None, sender: str | None, helo: str | None,
          domain: str | None, receiver: str, with_header: bool, batch: BinaryIO | None,
          batch_format: str | None, dns: DNSSettings, fmt: FormatSettings) -> None:
    """Evaluate SPF for one connection exactly as a receiver does (RFC 7208 check_host()).

    The first word printed is the result: pass, fail, softfail, neutral, none, permerror or
    temperror. The exit code is 0 whatever the result; 2 for invalid input. --batch writes
    one JSON line per question whatever --format says, then a summary line on standard
    error.

    \b
    Examples:
      spflint query --ip 192.0.2.1 --sender alice@example.com --helo mail.example.com
      spflint query --ip 2001:db8::1 --sender '' --helo mail.example.com --header
      spflint query --batch connections.jsonl --nameserver 127.0.0.1:5353
      spflint query --batch connections.csv --offline --dns-data zone.yml
    """
    config = load_settings_config(ctx, fmt)
    if batch is not None:
        if ip_text or sender is not None or helo or domain:
            raise InputError("--batch takes the questions from the file; "
                             "do not combine it with --ip/--sender/--helo/--domain")
        _check_batch_file(batch)
        resolver = make_resolver(dns)
        name = str(getattr(batch, "name", "-"))
        name = "<stdin>" if name in ("-", "<stdin>") else name
        summary = asyncio.run(run_batch(
            bounded_lines(batch), sys.stdout, resolver, receiver=receiver,
            timeout=dns.remaining(), header=with_header,
            csv_input=batch_is_csv(batch_format, name), source=name))
        # On standard error: standard output stays one JSON line per question.
        click.echo(f"spflint: {summary.text()}", err=True)
        ctx.exit(0)
    if batch_format is not None:
        raise InputError("--batch-format is for --batch")
    item = make_input(ip_text, sender, helo, domain)
    resolver = make_resolver(dns)
    result = asyncio.run(run_one(item, resolver, receiver=receiver, timeout=dns.remaining()))
    report = Report(command="query", summary=False)
    report.data.update(result_data(item, result, receiver=receiver, header=with_header))
    report.text_body = text_lines(item, result, receiver=receiver, header=with_header)
    emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(exit_code(report.diagnostics, config.fail_on))
