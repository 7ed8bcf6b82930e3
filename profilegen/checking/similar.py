"""Near-duplicate profiles: different positions whose written text is nearly the same.

Each profile's text becomes a set of word shingles; MinHash signatures and an LSH index (datasketch)
find the candidate pairs in one pass, and each candidate pair's exact Jaccard similarity decides. Pairs
join into groups (a copied profile and its copies are one group, however many); a group answers later
queries through its first few members, so a thousand alike drafts cost no more than a handful.

Alike texts that stay below the threshold never join, so each is indexed and each later one of them is a
candidate of all: with many such texts (the same position in 59 projects, a threshold of 0.9) that made 9.5
million exact comparisons at 100,000 profiles, 99 s. A text with many candidates is compared with them all
in one vectorised step, the joins then made in the candidates' order as before (the same groups).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from profilegen.text import words

SHINGLE = 3  # words a shingle has
PERMUTATIONS = 128
MAX_INDEXED = 8  # members of one group kept in the index: queries stay short when thousands are alike
AT_ONCE = 16  # a text's candidates, beyond which they are compared with it in one vectorised step


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[int, ...]  # indexes into the texts given
    similarity: float  # the least exact similarity of the pairs that joined it


Shingles = npt.NDArray[np.uint32]  # a text's distinct shingles, sorted


def shingles(texts: Sequence[str]) -> Shingles:
    """Word shingles of each text (a text shorter than a shingle is one shingle), each kept as its CRC-32:
    the same in every run, and MinHash takes it as its hash. Kept as a sorted array of 4-byte numbers (a
    set of Python ints takes some 60 bytes a shingle: 100,000 profiles' would hold half a gigabyte)."""
    found: set[int] = set()
    for text in texts:
        w = words(text)
        if w:
            found.update(zlib.crc32(" ".join(w[i : i + SHINGLE]).encode()) for i in range(max(1, len(w) - SHINGLE + 1)))
    return np.array(sorted(found), dtype=np.uint32)


def _jaccard(a: Shingles, b: Shingles) -> float:
    both = len(np.intersect1d(a, b, assume_unique=True))
    either = len(a) + len(b) - both
    return both / either if either else 0.0


def _similarities(text: Shingles, others: Sequence[Shingles]) -> list[float]:
    """The exact Jaccard similarity of ``text`` (not empty) with each of ``others`` (none empty), at once."""
    together = np.concatenate(others)
    at = np.searchsorted(text, together)
    at[at == len(text)] = 0
    starts = np.cumsum([0, *(len(o) for o in others[:-1])])
    both = np.add.reduceat((text[at] == together).astype(np.int64), starts)
    sizes = np.array([len(o) for o in others], dtype=np.int64)
    similarities: list[float] = (both / (len(text) + sizes - both)).tolist()
    return similarities


def near_duplicates(
    sets: Sequence[Shingles], owners: Sequence[object], threshold: float, at_once: int = AT_ONCE
) -> list[Group]:
    """Groups of texts at least `threshold` similar whose owners differ (an owner's own texts never pair);
    a text with more than ``at_once`` candidates is compared with them in one step."""
    from datasketch import MinHash, MinHashLSH  # a second of imports a check answered from its records skips

    # made one at a time as the pass reaches them (each is read once): 100,000 held at once took 120 MB
    # (a shingle is its hash already: `int` gives it back without a Python call per shingle)
    signatures = MinHash.generator((s.tolist() for s in sets), num_perm=PERMUTATIONS, hashfunc=int)
    index = MinHashLSH(threshold=max(0.05, threshold - 0.1), num_perm=PERMUTATIONS)  # looser: exact check follows
    parent = list(range(len(sets)))
    least: dict[int, float] = {}
    indexed: dict[int, int] = {}  # per group (by its root): members in the index

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, signature in enumerate(signatures):
        if not len(sets[i]):
            continue
        mine, owner = root(i), owners[i]  # its group's root, followed as it joins (no walk per candidate)
        candidates = [j for j in map(int, index.query(signature)) if owners[j] != owner and root(j) != mine]
        many = len(candidates) > at_once  # alike texts that never joined: all compared in one step
        similarities = _similarities(sets[i], [sets[j] for j in candidates]) if many else [None] * len(candidates)
        for j, known in zip(candidates, similarities, strict=True):
            theirs = root(j)
            if theirs == mine:  # joined the same group just now: nothing to learn
                continue
            similarity = _jaccard(sets[i], sets[j]) if known is None else known
            if similarity < threshold:
                continue
            least[theirs] = min(least.get(mine, 1.0), least.get(theirs, 1.0), similarity)
            parent[mine] = theirs
            indexed[theirs] = indexed.get(mine, 0) + indexed.get(theirs, 0)
            mine = theirs
        group = mine
        if indexed.get(group, 0) < MAX_INDEXED:  # a large group answers queries through a few of its members
            index.insert(i, signature)
            indexed[group] = indexed.get(group, 0) + 1
    groups: dict[int, list[int]] = {}
    for i in range(len(sets)):
        groups.setdefault(root(i), []).append(i)
    return [Group(tuple(members), round(least.get(r, 1.0), 3)) for r, members in groups.items() if len(members) > 1]
