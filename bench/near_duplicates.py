"""Near-duplicates among many alike texts that stay below the threshold (the same position's profile in
many projects, a strict `check.near_duplicate` of 0.9): each such text is a candidate of every later one.
A text's candidates compared with it in one vectorised step vs one exact comparison per candidate (the same
function, the same groups), side by side in one run.

Run: .venv/bin/python -m bench.near_duplicates
"""

from __future__ import annotations

import random
import time

from profilegen.checking.similar import near_duplicates, shingles

FAMILIES, MEMBERS, WORDS, CHANGED = 200, 60, 150, 2


def texts() -> list[str]:
    """Families of texts whose members each have two words of their own (pairwise similarity ~0.85)."""
    rnd = random.Random(7)
    found = []
    for family in range(FAMILIES):
        base = [f"слово{rnd.randrange(5000)}" for _ in range(WORDS)]
        for member in range(MEMBERS):
            own = set(rnd.sample(range(WORDS), CHANGED))
            found.append(" ".join(f"иное{family}x{member}x{i}" if i in own else w for i, w in enumerate(base)))
    return found


def main() -> None:
    sets = [shingles([text]) for text in texts()]
    owners = list(range(len(sets)))
    timings: dict[str, float] = {}
    answers: dict[str, list[tuple[tuple[int, ...], float]]] = {}
    for name, at_once in (("one by one", 10**9), ("at once", None), ("one by one", 10**9), ("at once", None)):
        started = time.perf_counter()
        found = near_duplicates(sets, owners, 0.9) if at_once is None else near_duplicates(sets, owners, 0.9, at_once)
        timings[name] = min(timings.get(name, float("inf")), time.perf_counter() - started)
        answers[name] = [(g.members, g.similarity) for g in found]
    assert answers["at once"] == answers["one by one"], "the same groups either way"
    print(
        f"near-duplicates at 0.9 over {len(sets):,} texts in {FAMILIES} families of alike ones: "
        f"candidates at once {timings['at once']:.2f} s vs one by one {timings['one by one']:.2f} s, "
        f"{timings['one by one'] / timings['at once']:.1f}x ({len(answers['at once'])} groups)"
    )


if __name__ == "__main__":
    main()
