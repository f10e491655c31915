"""Time memory's search for a vendor by the name a scan's header shows (a trigram index of the names in
front of the comparisons) against comparing every remembered name, with and without the early stop, in one
run.

    python benchmarks/memory_name_search.py [--vendors 1000 10000] [--repeat 20]

Vendors are random three-word names with a legal suffix. Two headers of 12 lines each: random lines, so no
name is found and every comparison runs to its end (a new vendor); and a known vendor's name with two letters
misread above lines that share words with every name ("SDN BHD"), so one is found. Each way must find the
same vendors; the script stops if they do not.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time

from common import random_word

from extractors.memory import NAME_MATCH, Memory, MemoryEntry, _match


def _memory(vendors: int, rng: random.Random) -> Memory:
    memory = Memory()
    for i in range(vendors):
        name = " ".join(random_word(rng) for _ in range(3)) + " SDN BHD"
        squashed = name.replace(" ", "")
        memory.add(MemoryEntry(str(i), "receipt", squashed, frozenset({squashed[:3]}), {"company": name}))
    return memory


def _without_early_stop(memory: Memory, windows: list[str]) -> int:
    """The search as first written: every name, every comparison to the end, then the threshold."""
    return sum(
        1
        for (_, vendor) in memory._by_vendor
        if max((_match(vendor, text) for text in windows), default=0.0) >= NAME_MATCH
    )


def _every_name(memory: Memory, windows: list[str]) -> int:
    """The search before the index: every name, each comparison stopped once NAME_MATCH is out of reach."""
    return sum(
        1 for (_, vendor) in memory._by_vendor if any(_match(vendor, text, NAME_MATCH) for text in windows)
    )


def _timed(search, memory: Memory, windows: list[str], repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(repeat):
        found = search(memory, windows)
    return (time.perf_counter() - started) / repeat, found


def _indexed(memory: Memory, windows: list[str]) -> int:
    return len(memory.by_name(windows, frozenset(), "receipt"))


def _headers(memory: Memory, rng: random.Random) -> dict[str, list[str]]:
    new = ["".join(random_word(rng) for _ in range(4)) for _ in range(12)]
    name = rng.choice(sorted(vendor for _, vendor in memory._by_vendor))
    misread = "".join("8" if i in (3, 11) else ch for i, ch in enumerate(name))
    known = [misread] + [random_word(rng) + random_word(rng) + "SDNBHD" for _ in range(11)]
    return {"new vendor": new, "known vendor, name misread": known}


def main() -> None:
    """Print milliseconds per scan for each way of searching."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(0)
    print("| vendors | header | every name, no early stop | every name, early stop | name index (docloop) |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for vendors in args.vendors:
        memory = _memory(vendors, rng)
        for header, lines in _headers(memory, rng).items():
            windows = lines + [a + b for a, b in itertools.pairwise(lines)]
            timings = [
                _timed(search, memory, windows, args.repeat)
                for search in (_without_early_stop, _every_name, _indexed)
            ]
            if len({found for _, found in timings}) != 1:
                sys.exit(f"the searches disagree on {header}: {[found for _, found in timings]}")
            first, early, indexed = (seconds * 1000 for seconds, _ in timings)
            print(f"| {vendors:,} | {header} | {first:.1f} ms | {early:.1f} ms | {indexed:.2f} ms |")


if __name__ == "__main__":
    main()
