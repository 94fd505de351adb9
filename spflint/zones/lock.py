"""``spflint.lock``: the DNS answers of the external names a repository's SPF trees need.

The file is JSON with sorted keys, two-space indentation and a final newline::

    {
      "answers": {
        "_spf.provider.example": {
          "A":    {"date": "2024-05-01T12:00:00Z", "outcome": "nodata", "records": [], "ttl": null},
          "TXT":  {"date": "...", "outcome": "ok", "records": [["v=spf1 ip4:... -all"]],
                   "ttl": 300},
          ...
        }
      },
      "format": 1
    }

Each external name has its TXT, A, AAAA and MX answers: ``outcome`` (``ok``, ``nodata``,
``nxdomain``), ``records`` (TXT: a list of strings per record; A/AAAA: addresses; MX:
``[preference, exchange]``), sorted, ``ttl`` and the ``date`` it was first seen with these
records. Re-locking keeps the date of an unchanged answer, so the file changes only when an
answer does.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spflint.dns.base import Answer, Outcome, RecordValue, Resolver, ZoneData
from spflint.dns.layered import NO_DATA_SOURCE
from spflint.dns.names import normalize
from spflint.dns.offline import OfflineResolver
from spflint.errors import InputError
from spflint.parser import is_spf_record
from spflint.txt import record_text

LOCK_NAME = "spflint.lock"
LOCK_FORMAT = 1
LOCK_TYPES = ("TXT", "A", "AAAA", "MX")
_OUTCOMES = {Outcome.OK: "ok", Outcome.NODATA: "nodata", Outcome.NXDOMAIN: "nxdomain"}


@dataclass(frozen=True)
class LockedAnswer:
    """One recorded answer."""

    outcome: Outcome
    records: tuple[RecordValue, ...]
    ttl: int | None
    date: str

    def same_data(self, other: LockedAnswer) -> bool:
        return self.outcome == other.outcome and self.records == other.records


@dataclass
class LockFile:
    """Recorded answers: name to type to answer."""

    answers: dict[str, dict[str, LockedAnswer]] = field(default_factory=dict)
    source: str = LOCK_NAME


def _sorted_records(rdtype: str, records: tuple[RecordValue, ...]) -> tuple[RecordValue, ...]:
    return tuple(sorted(records, key=lambda r: json.dumps(_record_json(rdtype, r))))


def _record_json(rdtype: str, value: RecordValue) -> Any:
    if rdtype == "TXT":
        assert isinstance(value, tuple)
        return [s.decode("utf-8", errors="surrogateescape") if isinstance(s, bytes) else s
                for s in value]
    if rdtype == "MX":
        assert isinstance(value, tuple)
        return [value[0], value[1]]
    return value


def _record_value(rdtype: str, item: Any, where: str) -> RecordValue:
    if rdtype == "TXT":
        if not isinstance(item, list) or not all(isinstance(s, str) for s in item):
            raise InputError(f"{where}: a TXT record is a list of strings")
        try:
            return tuple(s.encode("utf-8", errors="surrogateescape") for s in item)
        except UnicodeEncodeError:  # a \ud800 escape: no octets stand for it
            raise InputError(f"{where}: a TXT string holds a lone surrogate escape") from None
    if rdtype == "MX":
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int)
                and isinstance(item[1], str)):
            raise InputError(f"{where}: an MX record is [preference, exchange]")
        return (item[0], item[1])
    if not isinstance(item, str):
        raise InputError(f"{where}: an {rdtype} record is an address string")
    return item


def answer_from(answer: Answer, date: str) -> LockedAnswer | None:
    """The lockable form of an answer; None for a failure (timeout, SERVFAIL...)."""
    if answer.outcome not in _OUTCOMES:
        return None
    return LockedAnswer(answer.outcome, _sorted_records(answer.rdtype, answer.records),
                        answer.ttl, date)


def dumps(lock: LockFile) -> str:
    """The lock file text: deterministic for the same answers and dates."""
    doc: dict[str, Any] = {"format": LOCK_FORMAT, "answers": {}}
    for name in sorted(lock.answers):
        doc["answers"][name] = {
            rdtype: {
                "outcome": _OUTCOMES[entry.outcome],
                "records": [_record_json(rdtype, r) for r in entry.records],
                "ttl": entry.ttl,
                "date": entry.date,
            }
            for rdtype, entry in sorted(lock.answers[name].items())
        }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def loads(text: str, source: str = LOCK_NAME) -> LockFile:
    """Parse lock file text.

    :raises InputError: not a lock file of a known format.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{source}: not a spflint lock file: JSON nested too deep") from None
    except ValueError:  # Python refuses to read an integer of thousands of digits
        raise InputError(f"{source}: not a spflint lock file: a number too long to "
                         "read") from None
    if not isinstance(doc, dict) or doc.get("format") != LOCK_FORMAT:
        raise InputError(f"{source}: not a spflint lock file of format {LOCK_FORMAT}")
    answers = doc.get("answers")
    if not isinstance(answers, dict):
        raise InputError(f"{source}: 'answers' must be an object")
    by_value = {v: k for k, v in _OUTCOMES.items()}
    lock = LockFile(source=source)
    for name, types in answers.items():
        if not isinstance(types, dict):
            raise InputError(f"{source}: {name}: expected an object of record types")
        entries: dict[str, LockedAnswer] = {}
        for rdtype, entry in types.items():
            where = f"{source}: {name} {rdtype}"
            if rdtype not in LOCK_TYPES or not isinstance(entry, dict):
                raise InputError(f"{where}: unknown record type or malformed entry")
            outcome = by_value.get(str(entry.get("outcome")))
            records = entry.get("records", [])
            ttl = entry.get("ttl")
            date = entry.get("date", "")
            if outcome is None or not isinstance(records, list) or \
                    not (ttl is None or isinstance(ttl, int)) or not isinstance(date, str):
                raise InputError(f"{where}: malformed entry")
            values = tuple(_record_value(rdtype, item, where) for item in records)
            entries[rdtype] = LockedAnswer(outcome, values, ttl, date)
        lock.answers[normalize(name)] = entries
    return lock


def read_lock(path: str | os.PathLike[str]) -> LockFile:
    """Read a lock file.

    :raises InputError: unreadable or malformed.
    """
    from spflint.zones.bind import read_bounded
    from spflint.zones.model import ZoneFileError

    try:
        # A regular file of bounded size: never a FIFO or a device.
        text = read_bounded(os.fspath(path)).decode("utf-8")
    except ZoneFileError as exc:
        raise InputError(f"cannot read lock file {os.fspath(path)!r}: "
                         f"{exc.reason.removeprefix('cannot read the file: ')}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read lock file {os.fspath(path)!r}: byte {exc.start} is not "
                         "UTF-8") from None
    return loads(text, os.fspath(path))


def now_text() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def keep_dates(new: LockFile, old: LockFile | None) -> LockFile:
    """``new`` with the dates and TTLs of ``old`` for answers whose data did not change.

    Resolvers count TTLs down, so keeping the recorded one makes relocking unchanged
    answers give the same file.
    """
    if old is None:
        return new
    for name, types in new.answers.items():
        for rdtype, entry in list(types.items()):
            before = old.answers.get(name, {}).get(rdtype)
            if before is not None and before.same_data(entry):
                types[rdtype] = LockedAnswer(entry.outcome, entry.records, before.ttl,
                                             before.date)
    return new


class LockResolver(OfflineResolver):
    """Answers the names of a lock file exactly as recorded (types not recorded: no data)."""

    def __init__(self, lock: LockFile) -> None:
        super().__init__(ZoneData(source=lock.source))
        self.lock = lock
        self.source = f"lock {lock.source}"

    def covers(self, name: str) -> bool:
        try:
            return normalize(name) in self.lock.answers
        except InputError:
            return False

    def walk(self, name: str, rdtype: str) -> tuple[Answer | None, str]:
        qname = normalize(name)
        rdtype = rdtype.upper()
        entry = self.lock.answers.get(qname, {}).get(rdtype)
        if entry is None:
            return Answer(qname, rdtype, Outcome.NODATA, source=self.source,
                          detail="not recorded in the lock file"), ""
        return Answer(qname, rdtype, entry.outcome, entry.records, ttl=entry.ttl,
                      source=self.source), ""


class RecordingResolver:
    """Passes questions on, noting names answered by live DNS (not by zone data)."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self.external: set[str] = set()
        self.failures: list[Answer] = []

    async def query(self, name: str, rdtype: str) -> Answer:
        answer = await self.inner.query(name, rdtype)
        source = answer.source
        if not source.startswith(("zonedata", "lock ")) and source != NO_DATA_SOURCE \
                and source != "spflint":
            self.external.add(answer.name)
        return answer


async def record_names(names: set[str], resolver: Resolver, old: LockFile | None = None,
                       source: str = LOCK_NAME) -> tuple[LockFile, list[Answer]]:
    """Ask TXT, A, AAAA and MX of every name; the lock file and the failed answers."""
    import asyncio

    date = now_text()
    lock = LockFile(source=source)
    failures: list[Answer] = []
    ordered = sorted(names)
    questions = [(n, t) for n in ordered for t in LOCK_TYPES]
    answers = await asyncio.gather(*(resolver.query(n, t) for n, t in questions))
    for (name, rdtype), answer in zip(questions, answers, strict=True):
        locked = answer_from(answer, date)
        if locked is None:
            failures.append(answer)
            continue
        lock.answers.setdefault(name, {})[rdtype] = locked
    return keep_dates(lock, old), failures


# Names whose SPF records large senders rely on: a resolver that calls one of them NXDOMAIN
# is lying (a captive portal, a filtering resolver, a broken forwarder), not reporting DNS.
WELL_KNOWN = frozenset({
    "spf.protection.outlook.com", "_spf.google.com", "_netblocks.google.com",
    "_netblocks2.google.com", "_netblocks3.google.com", "sendgrid.net", "servers.mcsv.net",
    "amazonses.com", "mailgun.org", "spf.mandrillapp.com", "mail.zendesk.com",
    "_spf.salesforce.com", "spf.mtasv.net",
})


def nonexistent(lock: LockFile) -> list[str]:
    """The names whose TXT answer is NXDOMAIN, sorted."""
    return sorted(name for name, types in lock.answers.items()
                  if (entry := types.get("TXT")) is not None and entry.outcome is Outcome.NXDOMAIN)


def implausible(lock: LockFile) -> str | None:
    """Why the answers look like a resolver that lies rather than DNS, or None.

    Well-known providers' names that do not exist, or every name not existing, mean the lock
    would pin a broken resolver's answers and every later offline check would trust them.
    """
    missing = nonexistent(lock)
    known = [name for name in missing if name in WELL_KNOWN]
    if known:
        return (f"well-known provider {'name' if len(known) == 1 else 'names'} "
                f"{', '.join(known)} came back NXDOMAIN")
    if missing and len(missing) == len(lock.answers):
        word = "name" if len(missing) == 1 else f"all {len(missing)} names"
        return f"every external {word} came back NXDOMAIN"
    return None


def summary(lock: LockFile, old: LockFile | None) -> str:
    """``12 external names (10 with SPF, 1 without, 1 NXDOMAIN); 2 changed``."""
    with_spf = without = 0
    missing = len(nonexistent(lock))
    for types in lock.answers.values():
        entry = types.get("TXT")
        if entry is None or entry.outcome is Outcome.NXDOMAIN:
            continue
        if any(is_spf_record(record_text(r)) for r in entry.records  # type: ignore[arg-type]
               if isinstance(r, tuple)):
            with_spf += 1
        else:
            without += 1
    total = len(lock.answers)
    parts = [f"{with_spf} with SPF"]
    if without:
        parts.append(f"{without} without")
    if missing:
        parts.append(f"{missing} NXDOMAIN")
    text = f"{total} external {'name' if total == 1 else 'names'} ({', '.join(parts)})"
    if old is not None:
        changed = len(compare(old, lock))
        text += f"; {changed} changed" if changed else "; unchanged"
    return text


@dataclass(frozen=True)
class LockChange:
    """One difference between a lock file and what DNS answers now."""

    name: str
    rdtype: str | None  # None: the whole name was added or removed
    kind: str  # "added", "removed", "changed"
    before: LockedAnswer | None = None
    after: LockedAnswer | None = None


def compare(old: LockFile, new: LockFile) -> list[LockChange]:
    """What changed from ``old`` to ``new`` (TTLs and dates are ignored)."""
    changes: list[LockChange] = []
    for name in sorted(set(old.answers) | set(new.answers)):
        if name not in new.answers:
            changes.append(LockChange(name, None, "removed"))
            continue
        if name not in old.answers:
            changes.append(LockChange(name, None, "added"))
            continue
        before, after = old.answers[name], new.answers[name]
        for rdtype in LOCK_TYPES:
            b, a = before.get(rdtype), after.get(rdtype)
            if b is None and a is None:
                continue
            if b is None or a is None or not b.same_data(a):
                changes.append(LockChange(name, rdtype, "changed", b, a))
    return changes


def _describe(rdtype: str, entry: LockedAnswer | None) -> list[str]:
    if entry is None:
        return ["(not recorded)"]
    if entry.outcome is not Outcome.OK:
        return [f"({_OUTCOMES[entry.outcome]})"]
    return [json.dumps(_record_json(rdtype, r), ensure_ascii=False) for r in entry.records]


def render_changes(changes: list[LockChange], source: str = LOCK_NAME) -> str:
    """A readable diff: ``-`` recorded answers, ``+`` what DNS answers now."""
    if not changes:
        return ""
    lines = [f"{source} is out of date ({len(changes)} change(s)):"]
    for change in changes:
        if change.rdtype is None:
            what = "now needed" if change.kind == "added" else "no longer needed"
            sign = "+" if change.kind == "added" else "-"
            lines.append(f"{sign} {change.name} ({what})")
            continue
        lines.append(f"~ {change.name} {change.rdtype}")
        lines.extend(f"-   {item}" for item in _describe(change.rdtype, change.before))
        lines.extend(f"+   {item}" for item in _describe(change.rdtype, change.after))
    return "\n".join(lines) + "\n"


def find_lock(explicit: str | os.PathLike[str] | None, cwd: str | None = None) -> Path | None:
    """The lock file to use: ``explicit``, else ``spflint.lock`` in ``cwd`` when present."""
    if explicit is not None:
        return Path(explicit)
    candidate = Path(cwd) / LOCK_NAME if cwd else Path(LOCK_NAME)
    return candidate if candidate.is_file() else None


def write_lock(path: str | os.PathLike[str], lock: LockFile) -> None:
    """Write the lock file atomically (temp file beside it, fsync, rename)."""
    import contextlib
    import tempfile

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dumps(lock))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
