"""A deterministic corpus of realistic, distinct SPF records for the benchmarks.

``python bench/corpus.py [--count N] [--seed S] [--out FILE]`` prints the corpus (or writes it
to FILE). Nothing generated is kept in the repository: the benchmarks build it in memory.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_COUNT = 4000
DEFAULT_SEED = 7208

# Include targets of the common mail providers, weighted roughly by how often they are seen.
PROVIDERS: tuple[tuple[str, int], ...] = (
    ("spf.protection.outlook.com", 30),
    ("_spf.google.com", 30),
    ("sendgrid.net", 10),
    ("servers.mcsv.net", 8),
    ("mail.zendesk.com", 6),
    ("amazonses.com", 8),
    ("_spf.salesforce.com", 6),
    ("spf.mandrillapp.com", 5),
    ("mailgun.org", 6),
    ("spf.mailjet.com", 3),
    ("_spf.mlsend.com", 2),
    ("spf.sendinblue.com", 3),
    ("mktomail.com", 3),
    ("_spf.hubspotemail.net", 3),
    ("spf.messagingengine.com", 2),
    ("_spf.atlassian.net", 2),
    ("helpscoutemail.com", 1),
    ("_spf.intuit.com", 1),
    ("spf.freshdesk.com", 1),
    ("zoho.eu", 2),
)

_WORDS = (
    "acme", "north", "blue", "river", "stone", "maple", "cedar", "harbor", "pixel", "orbit",
    "summit", "delta", "lumen", "vector", "quartz", "atlas", "nimbus", "polar", "ember", "tide",
    "crest", "forge", "meadow", "copper", "falcon", "juniper", "beacon", "prairie", "vista",
    "granite", "willow", "canyon", "harvest", "aurora", "pioneer", "sterling", "oak", "lark",
)
_TLDS = ("com", "com", "com", "net", "org", "io", "co.uk", "de", "fr", "nl", "com.au", "ca")
_HOSTS = ("mail", "smtp", "mx1", "mx2", "relay", "out", "mta", "bounce", "mailer", "gw")

# First octets of public IPv4 space commonly seen in SPF records (hosting, cloud, ISPs).
_IP4_FIRST = (23, 34, 35, 40, 45, 50, 52, 54, 62, 64, 66, 69, 74, 77, 81, 85, 91, 94, 104,
              107, 136, 139, 146, 148, 149, 159, 162, 167, 173, 176, 178, 185, 188, 192, 193,
              194, 195, 198, 199, 203, 204, 205, 207, 208, 209, 212, 213, 216, 217)
_IP6_PREFIXES = ("2001:db8", "2a01:4f8", "2a00:1450", "2607:f8b0", "2a02:c7f", "2620:10d",
                 "2001:67c", "2a05:d018", "2600:1f18", "2a0b:7280")

_EXISTS = (
    "exists:%{i}._spf.{d}",
    "exists:%{ir}.%{v}._spf.{d}",
    "exists:%{l1r+-}._spf.{d}",
    "exists:%{i}.%{l}.allow.{d}",
    "exists:%{ir}.%{d2}.rbl.{d}",
    "exists:%{s}.senders.{d}",
)


class _Maker:
    """Builds one record at a time from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names = [p for p, _ in PROVIDERS]
        weights = [w for _, w in PROVIDERS]
        self._providers: Callable[[int], list[str]] = (
            lambda k: rng.choices(names, weights=weights, k=k)
        )

    def domain(self) -> str:
        rng = self.rng
        word = rng.choice(_WORDS)
        if rng.random() < 0.5:
            word += rng.choice(("", "-")) + rng.choice(_WORDS)
        if rng.random() < 0.3:
            word += str(rng.randint(1, 99))
        return f"{word}.{rng.choice(_TLDS)}"

    def host(self, own: str) -> str:
        return f"{self.rng.choice(_HOSTS)}.{own}"

    def ip4(self) -> str:
        rng = self.rng
        first = rng.choice(_IP4_FIRST)
        kind = rng.random()
        if kind < 0.55:  # a single host
            return f"ip4:{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        prefix = rng.choice((16, 18, 20, 22, 24, 24, 24, 25, 26, 27, 28, 29))
        value = (first << 24) | rng.getrandbits(24)
        value &= (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
        dotted = ".".join(str((value >> s) & 0xFF) for s in (24, 16, 8, 0))
        return f"ip4:{dotted}/{prefix}"

    def ip6(self) -> str:
        rng = self.rng
        base = rng.choice(_IP6_PREFIXES)
        if rng.random() < 0.3:
            return f"ip6:{base}:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
        return f"ip6:{base}:{rng.getrandbits(16):x}::/{rng.choice((32, 44, 48, 48, 56, 64))}"

    def a_or_mx(self, own: str) -> str:
        rng = self.rng
        mech = rng.choice(("a", "mx", "mx", "a"))
        target = "" if rng.random() < 0.6 else ":" + rng.choice((self.host(own), self.domain()))
        cidr = rng.choices(("", "/24", "/28", "//64", "/24//64", "/30"),
                           weights=(70, 8, 6, 6, 5, 5))[0]
        return mech + target + cidr

    def qualify(self, term: str) -> str:
        if self.rng.random() < 0.06:
            return self.rng.choice("+?~-") + term
        return term

    def record(self) -> str:
        rng = self.rng
        own = self.domain()
        terms: list[str] = []
        shape = rng.random()
        if shape < 0.08:  # a thin record that hands off to a shared policy
            return f"v=spf1 redirect=_spf.{rng.choice((own, self.domain()))}"
        n_ip4 = rng.choices((0, 1, 2, 3, 5, 8), weights=(25, 30, 18, 12, 8, 4))[0]
        n_inc = rng.choices((0, 1, 2, 3, 4), weights=(10, 35, 30, 18, 7))[0]
        if rng.random() < 0.45:
            terms.append(self.a_or_mx(own))
        if rng.random() < 0.15:
            terms.append(self.a_or_mx(own))
        terms += [self.ip4() for _ in range(n_ip4)]
        if rng.random() < 0.18:
            terms += [self.ip6() for _ in range(rng.randint(1, 3))]
        includes = list(dict.fromkeys(self._providers(n_inc)))
        if rng.random() < 0.2:
            includes.append(f"_spf.{own}" if rng.random() < 0.5 else f"spf.{self.domain()}")
        terms += ["include:" + inc for inc in includes]
        if rng.random() < 0.05:
            terms.append(rng.choice(_EXISTS).replace("{d}", own))
        terms = [self.qualify(t) for t in terms]
        ending = rng.choices(("-all", "~all", "?all", "redirect"), weights=(40, 45, 9, 6))[0]
        if ending == "redirect":
            terms.append(f"redirect=_spf.{self.domain()}")
        else:
            terms.append(ending)
        if rng.random() < 0.04:
            terms.append(f"exp=explain._spf.{own}")
        return "v=spf1 " + " ".join(terms)

    def mistake(self, text: str) -> str:
        """Apply one of the usual mistakes to a good record."""
        rng = self.rng
        terms = text.split(" ")
        kind = rng.choice(("ipv4", "plus-all", "ptr", "duplicate", "missing-all", "ip-colon",
                           "ptr", "plus-all"))
        if kind == "ipv4":
            terms.insert(1, "ipv4:" + self.ip4()[4:])
        elif kind == "plus-all":
            kept = [t for t in terms[1:] if not t.endswith("all") and "=" not in t]
            terms = [terms[0], *(kept or [self.ip4()]), "+all"]
        elif kind == "ptr":
            terms.insert(rng.randint(1, max(1, len(terms) - 1)), rng.choice(("ptr", "?ptr")))
        elif kind == "duplicate" and len(terms) > 2:
            pick = rng.choice(terms[1:-1] or terms[1:])
            terms.insert(len(terms) - 1, pick)
        elif kind == "ip-colon":
            terms.insert(1, "ip4: " + self.ip4()[4:])
        else:  # missing all (and no redirect)
            terms = [t for t in terms if not t.endswith("all") and not t.startswith("redirect=")]
            if len(terms) == 1:
                terms.append(self.ip4())
        return " ".join(terms)


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
             mistake_rate: float = 0.10) -> list[str]:
    """``count`` distinct records, the same list for the same ``count`` and ``seed``."""
    rng = random.Random(seed)
    maker = _Maker(rng)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        text = maker.record()
        if rng.random() < mistake_rate:
            text = maker.mistake(text)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    text = "\n".join(generate(args.count, args.seed)) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
