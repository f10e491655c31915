"""Time memory's search for a vendor by the name a scan's header shows, against the same search without
the early stop, in one run.

    python benchmarks/memory_name_search.py [--vendors 1000 10000] [--repeat 20]

Vendors are random three-word names with a legal suffix; the header is 12 random lines, so no name is found
and every comparison runs (the search's worst case: a new vendor).
"""

from __future__ import annotations

import argparse
import itertools
import random
import string
import time

from extractors.memory import NAME_MATCH, Memory, MemoryEntry, _match


def _memory(vendors: int, rng: random.Random) -> Memory:
    memory = Memory()
    for i in range(vendors):
        name = " ".join(_word(rng) for _ in range(3)) + " SDN BHD"
        squashed = name.replace(" ", "")
        memory.add(MemoryEntry(str(i), "receipt", squashed, frozenset({squashed[:3]}), {"company": name}))
    return memory


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 9)))


def _without_early_stop(memory: Memory, windows: list[str]) -> int:
    """The search as first written: every comparison to the end, then the threshold."""
    return sum(
        1
        for (_, vendor) in memory._by_vendor
        if max((_match(vendor, text) for text in windows), default=0.0) >= NAME_MATCH
    )


def main() -> None:
    """Print milliseconds per scan for both ways of searching."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(0)
    print("| remembered vendors | without early stop, ms per scan | with it (docloop), ms per scan |")
    print("| ---: | ---: | ---: |")
    for vendors in args.vendors:
        memory = _memory(vendors, rng)
        lines = ["".join(_word(rng) for _ in range(4)) for _ in range(12)]
        windows = lines + [a + b for a, b in itertools.pairwise(lines)]
        started = time.perf_counter()
        for _ in range(args.repeat):
            _without_early_stop(memory, windows)
        before = (time.perf_counter() - started) / args.repeat
        started = time.perf_counter()
        for _ in range(args.repeat):
            memory.by_name(windows, frozenset(), "receipt")
        after = (time.perf_counter() - started) / args.repeat
        print(f"| {vendors:,} | {before * 1000:.1f} | {after * 1000:.1f} |")


if __name__ == "__main__":
    main()
