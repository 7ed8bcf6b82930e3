"""Near-duplicate profiles: different positions whose written text is nearly the same.

Each profile's text becomes a set of word shingles; MinHash signatures and an LSH index (datasketch)
find the candidate pairs in one pass, and each candidate pair's exact Jaccard similarity decides. Pairs
join into groups (a copied profile and its copies are one group, however many); a group answers later
queries through its first few members, so a thousand alike drafts cost no more than a handful.
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


def _hashed(value: int) -> int:
    return value  # a shingle is its hash already


def near_duplicates(sets: Sequence[Shingles], owners: Sequence[object], threshold: float) -> list[Group]:
    """Groups of texts at least `threshold` similar whose owners differ (an owner's own texts never pair)."""
    from datasketch import MinHash, MinHashLSH  # a second of imports a check answered from its records skips

    # made one at a time as the pass reaches them (each is read once): 100,000 held at once took 120 MB
    signatures = MinHash.generator((s.tolist() for s in sets), num_perm=PERMUTATIONS, hashfunc=_hashed)
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
        for j in index.query(signature):
            j = int(j)
            if owners[i] == owners[j] or root(i) == root(j):  # already in one group: nothing to learn
                continue
            similarity = _jaccard(sets[i], sets[j])
            if similarity < threshold:
                continue
            a, b = root(i), root(j)
            joined = min(least.get(a, 1.0), least.get(b, 1.0), similarity)
            parent[a] = b
            least[b] = joined
            indexed[b] = indexed.get(a, 0) + indexed.get(b, 0)
        group = root(i)
        if indexed.get(group, 0) < MAX_INDEXED:  # a large group answers queries through a few of its members
            index.insert(i, signature)
            indexed[group] = indexed.get(group, 0) + 1
    groups: dict[int, list[int]] = {}
    for i in range(len(sets)):
        groups.setdefault(root(i), []).append(i)
    return [Group(tuple(members), round(least.get(r, 1.0), 3)) for r, members in groups.items() if len(members) > 1]
