"""A resolver that answers with records about to be published, over what DNS says now."""

from __future__ import annotations

from collections.abc import Sequence

from ..dns.base import Answer, Outcome, Resolver, TxtValue
from ..hosts.model import PublishedRecord
from ..parser import is_spf_record
from ..txt import record_text


class OverlayResolver:
    """TXT questions for the published names get the new SPF record, plus whatever other
    TXT records the name has now; every other question goes to ``inner``."""

    def __init__(self, records: Sequence[PublishedRecord], inner: Resolver) -> None:
        self.inner = inner
        self.records: dict[str, TxtValue] = {
            r.name.lower(): tuple(s.encode() for s in r.strings) for r in records if r.name}

    async def query(self, name: str, rdtype: str) -> Answer:
        key = name.lower().rstrip(".")
        mine = self.records.get(key)
        if mine is None or rdtype.upper() != "TXT":
            return await self.inner.query(name, rdtype)
        now = await self.inner.query(name, rdtype)
        others = tuple(r for r in now.txt_records()
                       if not is_spf_record(record_text(r)))
        return Answer(key, "TXT", Outcome.OK, (*others, mine), now.ttl,
                      "the fixed record (not published yet)")
