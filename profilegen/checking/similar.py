"""Near-duplicate profiles: different positions whose written text is nearly the same.

Each profile's text becomes a set of word shingles; MinHash signatures and an LSH index (datasketch)
find the candidate pairs in one pass, and each candidate pair's exact Jaccard similarity decides. Pairs
join into groups (a copied profile and its copies are one group, however many).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from profilegen.text import words

SHINGLE = 3  # words a shingle has
PERMUTATIONS = 128


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[int, ...]  # indexes into the texts given
    similarity: float  # the least exact similarity of the pairs that joined it


def shingles(texts: Sequence[str]) -> frozenset[str]:
    """Word shingles of each text (a text shorter than a shingle is one shingle)."""
    found: set[str] = set()
    for text in texts:
        w = words(text)
        found.update(" ".join(w[i : i + SHINGLE]) for i in range(max(1, len(w) - SHINGLE + 1)))
    found.discard("")
    return frozenset(found)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def near_duplicates(sets: Sequence[frozenset[str]], owners: Sequence[object], threshold: float) -> list[Group]:
    """Groups of texts at least `threshold` similar whose owners differ (an owner's own texts never pair)."""
    signatures = MinHash.bulk(([s.encode("utf-8") for s in shingle_set] for shingle_set in sets), num_perm=PERMUTATIONS)
    index = MinHashLSH(threshold=max(0.05, threshold - 0.1), num_perm=PERMUTATIONS)  # looser: exact check follows
    parent = list(range(len(sets)))
    least: dict[int, float] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, signature in enumerate(signatures):
        if not sets[i]:
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
        index.insert(i, signature)
    groups: dict[int, list[int]] = {}
    for i in range(len(sets)):
        groups.setdefault(root(i), []).append(i)
    return [Group(tuple(members), round(least.get(r, 1.0), 3)) for r, members in groups.items() if len(members) > 1]
