"""``zone --fix``: the corrected text of each SPF record, through the one fix pipeline.

By default only fixes proven safe are applied (no address's result changes, whatever DNS
answers), and style fixes only for the style rules the configuration selects; with
``--unsafe-fixes`` a record gets what ``spflint fix --unsafe`` would publish for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spflint.config import Config
from spflint.fix.apply import STYLE_PREFIX, FixPolicy, apply_fixes

from .model import ZoneFile, ZoneRecord

if TYPE_CHECKING:
    from spflint.dns.base import Resolver

    from .check import Requirement


def selected_style(config: Config) -> frozenset[str]:
    """The style rules whose fixes may respell terms: those the configuration selects by
    name (a style fix changes nothing but spelling, so it is never applied unasked)."""
    return frozenset(code for code in (config.select or ()) if code.startswith(STYLE_PREFIX))


async def corrected_text(record: ZoneRecord, config: Config, resolver: Resolver, *,
                         unsafe: bool = False,
                         requirements: Sequence[Requirement] = ()) -> str | None:
    """The record's corrected text, or None when nothing is to change (or it cannot be
    proven: the record is left as it is, and its findings say why)."""
    from spflint.fix import FixError, FixOptions, fix_policy

    try:
        text = record.value.decode("utf-8")
    except UnicodeDecodeError:
        return None  # a text that does not decode cannot be edited as text
    style = selected_style(config)
    if not unsafe:
        fixed, _ = await apply_fixes(text, config, FixPolicy(style=style), domain=record.name,
                                     strings=record.strings)
        return None if fixed == text else fixed
    mine = [r for r in requirements if r.name == record.name]
    options = FixOptions(domain=record.name, record=text, unsafe=True, repairs=True,
                         style=style, ips=tuple(r.value for r in mine if r.kind == "ip"),
                         require=tuple(r.value for r in mine if r.kind == "term"))
    try:
        result = await fix_policy(options, resolver, config)
    except FixError:
        return None
    if len(result.records) != 1:
        return None  # chained records need names the zone file does not have
    value = result.records[0].value
    return None if value == text else value


async def minimal_texts(zones: Sequence[ZoneFile], config: Config, resolver: Resolver, *,
                        unsafe: bool = False,
                        requirements: Sequence[Requirement] = ()) -> dict[tuple[str, int], str]:
    """New texts of the SPF records that change, keyed by ``(path, start)``."""
    records = [record for zone in zones for record in zone.spf_records]
    texts = await asyncio.gather(*(corrected_text(record, config, resolver, unsafe=unsafe,
                                                  requirements=requirements)
                                   for record in records))
    return {(record.path, record.start): text for record, text in zip(records, texts,
                                                                       strict=True)
            if text is not None and text != record.text}
