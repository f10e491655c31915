"""Time memory's header retrieval (`Memory.nearest`, overlaps counted with numpy) against the way it counted
before (a Counter over the sets of entries holding each trigram), in one run, on the same entries and queries.

    python benchmarks/memory_retrieval.py [--vendors 1000 10000] [--per-vendor 5] [--queries 20]

Headers are made like receipts' top lines: a name of random words with "SDN BHD", a street, a town and
postcode, a phone and GST number, "TAX INVOICE", a cashier and a date. The words every header shares
("JALAN", "TAMAN", "SDN BHD") make every entry share some trigrams with every query. Half the queries are a
remembered vendor's header, half a new vendor's. Both ways must return the same neighbours, with the same
similarities; the script stops if they do not.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict

from common import random_word

from extractors.memory import MIN_SIMILARITY, NEIGHBOURS, Memory, MemoryEntry, header_grams
from extractors.types import Page, Word
from extractors.view import DocumentView


def _header(rng: random.Random) -> frozenset[str]:
    town = rng.choice(["SELANGOR", "JOHOR BAHRU", "KUALA LUMPUR"])
    lines = [
        f"{random_word(rng)} {random_word(rng)} {random_word(rng)} SDN BHD",
        f"NO {rng.randint(1, 99)}, JALAN {random_word(rng)} {rng.randint(1, 30)}/{rng.randint(1, 9)}",
        f"TAMAN {random_word(rng)} {rng.randint(10000, 99999)} {town}",
        f"TEL: 0{rng.randint(1, 9)}-{rng.randint(1000000, 9999999)}",
        f"GST ID: 000{rng.randint(100000000, 999999999)}",
        "TAX INVOICE",
        f"CASHIER: {random_word(rng)}",
        f"DATE: {rng.randint(1, 28)}/{rng.randint(1, 12)}/2018",
    ]
    words = tuple(Word(text, (10.0, 30.0 * i, 300.0, 30.0 * i + 20)) for i, text in enumerate(lines))
    return header_grams(DocumentView((Page(1, 600.0, 400.0, words, "supplied"),)))


def _counted_by_sets(by_gram: dict[str, set[str]], memory: Memory, grams: frozenset[str]) -> list:
    """Retrieval before: a Counter over every entry holding each of the query's trigrams."""
    shared: Counter[str] = Counter()
    for gram in grams:
        shared.update(by_gram.get(gram, ()))
    found = []
    for key, overlap in shared.items():
        similarity = overlap / (len(grams) + len(memory.entries[key].grams) - overlap)
        if similarity >= MIN_SIMILARITY:
            found.append((-similarity, key))
    return sorted(found)[:NEIGHBOURS]


def main() -> None:
    """Print milliseconds per retrieval both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--per-vendor", type=int, default=5)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(0)
    print("| remembered entries | Counter over sets (before), ms | numpy counts (docloop), ms |")
    print("| ---: | ---: | ---: |")
    for vendors in args.vendors:
        memory = Memory()
        by_gram: dict[str, set[str]] = defaultdict(set)
        headers = []
        for vendor in range(vendors):
            grams = _header(rng)
            headers.append(grams)
            for k in range(args.per_vendor):
                memory.add(MemoryEntry(f"{vendor}-{k}", "receipt", f"V{vendor}", grams, {}))
                for gram in grams:
                    by_gram[gram].add(f"{vendor}-{k}")
        queries = [rng.choice(headers) if i % 2 else _header(rng) for i in range(args.queries)]
        started = time.perf_counter()
        before = [_counted_by_sets(by_gram, memory, q) for q in queries]
        before_ms = (time.perf_counter() - started) / len(queries) * 1000
        started = time.perf_counter()
        now = [[(-n.similarity, n.entry.key) for n in memory.nearest(q, "receipt")] for q in queries]
        now_ms = (time.perf_counter() - started) / len(queries) * 1000
        if before != now:
            sys.exit("the two retrievals disagree")
        print(f"| {len(memory):,} | {before_ms:.1f} | {now_ms:.1f} |")


if __name__ == "__main__":
    main()
