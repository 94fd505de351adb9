"""``spflint query``: the RFC 7208 ``check_host()`` result for one IP, sender and HELO."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO

import click

from .. import __version__
from ..dns.base import Resolver
from ..errors import InputError
from ..evaluate import (
    SpfResult,
    check_host,
    identity,
    is_valid_domain,
    parse_ip,
    received_spf,
)
from ..macros import IPAddress, split_sender
from ..report.base import Report
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..semantics import MAX_VOID_LOOKUPS as VOID_LIMIT
from .common import emit, exit_code, global_settings, load_settings_config
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver


@dataclass(frozen=True)
class QueryInput:
    """One question: the client IP, MAIL FROM, HELO and the domain to check."""

    ip: IPAddress
    sender: str  # as given ("" for the null reverse-path)
    helo: str | None
    domain: str
    check_sender: str  # the <sender> check_host() receives
    identity: str  # "mailfrom" or "helo"


def _printable_token(text: str) -> bool:
    return bool(text) and all(33 <= ord(c) <= 126 for c in text)


def _valid_target(domain: str) -> bool:
    return is_valid_domain(domain) or (domain.startswith("[") and domain.endswith("]"))


def make_input(ip: str | None, sender: str | None, helo: str | None,
               domain: str | None) -> QueryInput:
    """Check and combine one question's values.

    :raises InputError: a missing or invalid IP, sender, HELO or domain.
    """
    if ip is None or not str(ip).strip():
        raise InputError("an IP address is needed (--ip)")
    address = parse_ip(str(ip))
    if helo is not None and not _printable_token(helo):
        raise InputError(f"invalid HELO name {helo!r}: it must be one word of printable ASCII")
    sender = sender or ""
    if sender:
        if any(ord(c) < 32 or ord(c) == 127 for c in sender):
            raise InputError(f"invalid sender {sender!r}: it contains control characters")
        _, sender_domain = split_sender(sender)
        if not _valid_target(sender_domain):
            raise InputError(f"invalid sender {sender!r}: {sender_domain!r} is not a domain name")
    elif not helo:
        raise InputError("a sender (--sender) or a HELO name (--helo) is needed")
    default_domain, check_sender = identity(sender, helo)
    target = default_domain if domain is None else domain
    if domain is not None and not is_valid_domain(domain):
        raise InputError(f"invalid domain {domain!r}")
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


def _batch_error(number: int, message: str) -> dict[str, Any]:
    return {"spflint": __version__, "diagnostics": [], "line": number, "error": message}


def _batch_item(number: int, line: str) -> QueryInput | dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return _batch_error(number, f"not JSON: {exc.msg} (at column {exc.colno})")
    if not isinstance(value, dict):
        return _batch_error(number, "expected a JSON object with ip, sender and helo")
    unknown = set(value) - {"ip", "sender", "helo", "domain"}
    if unknown:
        return _batch_error(number, f"unknown keys: {', '.join(sorted(unknown))}")
    fields = {k: value.get(k) for k in ("ip", "sender", "helo", "domain")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        return _batch_error(number, "ip, sender, helo and domain must be strings")
    try:
        return make_input(fields["ip"], fields["sender"], fields["helo"], fields["domain"])
    except InputError as exc:
        return _batch_error(number, exc.message)


def _decode(raw: bytes | str) -> str | None:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


async def run_batch(lines: Iterable[bytes | str], out: TextIO, resolver: Resolver, *,
                    receiver: str, timeout: float | None, header: bool) -> int:
    """Answer each JSON line of ``lines`` with one JSON line on ``out``; the count answered.

    A line that is not UTF-8 is answered with an error object, like a line that is not JSON.
    """
    count = 0
    for number, raw in enumerate(lines, start=1):
        text = _decode(raw)
        if text is None:
            item: QueryInput | dict[str, Any] = _batch_error(number, "not UTF-8 text")
        elif not text.strip():
            continue
        else:
            item = _batch_item(number, text.strip())
        if isinstance(item, dict):
            record = item
        else:
            result = await run_one(item, resolver, receiver=receiver, timeout=timeout)
            record = {"spflint": __version__, "diagnostics": [], "line": number,
                      **result_data(item, result, receiver=receiver, header=header)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count


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
              help="Read JSON lines {\"ip\", \"sender\", \"helo\"} from FILE ('-' for stdin) "
                   "and write one JSON line for each.")
@dns_options
@format_options
@click.pass_context
def query(ctx: click.Context, ip_text: str | None, sender: str | None, helo: str | None,
          domain: str | None, receiver: str, with_header: bool, batch: BinaryIO | None,
          dns: DNSSettings, fmt: FormatSettings) -> None:
    """Evaluate SPF for one connection exactly as a receiver does (RFC 7208 check_host()).

    The first word printed is the result: pass, fail, softfail, neutral, none, permerror or
    temperror. The exit code is 0 whatever the result; 2 for invalid input. --batch writes
    one JSON line per question whatever --format says.

    \b
    Examples:
      spflint query --ip 192.0.2.1 --sender alice@example.com --helo mail.example.com
      spflint query --ip 2001:db8::1 --sender '' --helo mail.example.com --header
      spflint query --batch connections.jsonl --nameserver 127.0.0.1:5353
    """
    config = load_settings_config(ctx, fmt)
    if batch is not None:
        if ip_text or sender is not None or helo or domain:
            raise InputError("--batch takes the questions from the file; "
                             "do not combine it with --ip/--sender/--helo/--domain")
        resolver = make_resolver(dns)
        asyncio.run(run_batch(batch, sys.stdout, resolver, receiver=receiver,
                              timeout=dns.remaining(), header=with_header))
        ctx.exit(0)
    item = make_input(ip_text, sender, helo, domain)
    resolver = make_resolver(dns)
    result = asyncio.run(run_one(item, resolver, receiver=receiver, timeout=dns.remaining()))
    report = Report(command="query", summary=False)
    report.data.update(result_data(item, result, receiver=receiver, header=with_header))
    report.text_body = text_lines(item, result, receiver=receiver, header=with_header)
    emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(exit_code(report.diagnostics, config.fail_on))
