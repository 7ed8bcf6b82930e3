"""Near-duplicate profiles: different positions whose written text is nearly the same.

Each profile's text becomes a set of word shingles; a MinHash signature of them is cut into bands, each
band kept as one 32-bit key (the text's *sketch*, 14 keys in 56 bytes at the default threshold), and texts
sharing a band key are candidates (a chance match of two different bands adds a candidate, never a pair);
each candidate pair's exact Jaccard similarity decides. Pairs join into groups (a copied profile and its
copies are one group, however many); a group answers later texts through its first few members, so a
thousand alike drafts cost no more than a handful.

The sketch is worked out where the profile is read (on both cores, and kept in the check's records with the
shingles), so a check after a night that changed a few profiles signs only those few. Only band keys that
two texts share are ever indexed: texts unlike all others cost one look at their sketch.

The MinHash is datasketch's "affine32" scheme (a murmur3 finaliser, then `a·x + b` mod 2³², 128 of them,
the least kept) and the bands are chosen as datasketch's `MinHashLSH` chooses them; done here in a few lines
of numpy it signs a text in a third of the time, needs no SciPy at start-up, and its keys can be kept.

Alike texts that stay below the threshold never join, so each is indexed and each later one of them is a
candidate of all: with many such texts (the same position in 59 projects, a threshold of 0.9) that made 9.5
million exact comparisons at 100,000 profiles. A text with many candidates is compared with them all in one
vectorised step, the joins then made in the candidates' order as before (the same groups).
"""

from __future__ import annotations

import functools
import hashlib
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
Sketch = bytes  # a text's band keys, 4 bytes each (bytes: 100,000 small arrays cost 11 MB more)


def shingles(texts: Sequence[str]) -> Shingles:
    """Word shingles of each text (a text shorter than a shingle is one shingle), each kept as a 32-bit number
    mixed from its words' CRC-32s: the same in every run, and MinHash takes it as its hash. Each word is hashed
    once and a profile's shingles mixed in one vectorised step (a CRC-32 of each shingle's joined text took a
    quarter of a check's reading). Kept as a sorted array of 4-byte numbers (a set of Python ints takes some 60
    bytes a shingle: 100,000 profiles' would hold half a gigabyte)."""
    return shingles_of([words(text) for text in texts])


def shingles_of(texts: Sequence[list[str]]) -> Shingles:
    """`shingles` of texts already split into their words."""
    hashes: list[int] = []  # the words' CRC-32s, text after text (a short text padded to a shingle's length)
    starts: list[int] = []  # where each shingle's words begin
    for w in texts:
        if not w:
            continue
        first = len(hashes)
        hashes += map(_word_hash, w)
        if len(w) < SHINGLE:
            hashes += [0] * (SHINGLE - len(w))
        starts += range(first, first + max(1, len(w) - SHINGLE + 1))
    if not starts:
        return np.zeros(0, dtype=np.uint32)
    words_at = np.array(hashes, dtype=np.uint64)
    at = np.array(starts, dtype=np.intp)
    mixed = words_at[at] * _MIX[0]
    for k in range(1, SHINGLE):  # wraps at 2⁶⁴: the intended arithmetic
        mixed += words_at[at + k] * _MIX[k]
    result: Shingles = np.unique((mixed >> np.uint64(32)).astype(np.uint32))
    return result


@functools.lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode())


def _numbers(name: str, count: int, dtype: type[np.unsignedinteger]) -> npt.NDArray[np.unsignedinteger]:
    """`count` fixed pseudo-random numbers of `dtype`, the same on every machine and numpy (from SHA-256)."""
    size = np.dtype(dtype).itemsize
    raw = b"".join(hashlib.sha256(f"profilegen {name} {k}".encode()).digest() for k in range(-(-count * size // 32)))
    return np.frombuffer(raw[: count * size], dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)


_MIX = _numbers("shingle words", SHINGLE, np.uint64) | np.uint64(1)  # odd: each word's place weighs apart
_A = _numbers("minhash a", PERMUTATIONS, np.uint32) | np.uint32(1)  # odd: a permutation of the 32-bit numbers
_B = _numbers("minhash b", PERMUTATIONS, np.uint32)


def _probability(similarity: npt.NDArray[np.float64], bands: int, rows: int) -> npt.NDArray[np.float64]:
    """The chance that two texts this similar share a band key."""
    result: npt.NDArray[np.float64] = 1 - (1 - similarity**rows) ** bands
    return result


def _area(y: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> float:
    """The area under y(x) by the trapezoid rule."""
    return float(((y[1:] + y[:-1]) * np.diff(x)).sum() / 2)


@functools.cache
def banding(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) for candidates at ``threshold``: the least area of false positives below it and
    false negatives above it, equally weighted (datasketch's `MinHashLSH` rule)."""
    below, above = np.linspace(0.0, threshold, 1001), np.linspace(threshold, 1.0, 1001)
    best, chosen = float("inf"), (1, 1)
    for bands in range(1, PERMUTATIONS + 1):
        for rows in range(1, PERMUTATIONS // bands + 1):
            positives = _area(_probability(below, bands, rows), below)
            negatives = _area(1 - _probability(above, bands, rows), above)
            if positives + negatives < best:
                best, chosen = positives + negatives, (bands, rows)
    return chosen


def index_threshold(threshold: float) -> float:
    """Candidates are looked for a little below the threshold: the exact comparison decides."""
    return max(0.05, threshold - 0.1)


@functools.cache
def _band_mixers(bands: int, rows: int) -> npt.NDArray[np.uint64]:
    return _numbers(f"band {bands} {rows}", bands * rows, np.uint64).reshape(bands, rows) | np.uint64(1)


def sketch(text: Shingles, threshold: float) -> Sketch:
    """The band keys of a text's MinHash signature (empty for an empty text), for candidates at ``threshold``."""
    bands, rows = banding(index_threshold(threshold))
    if not len(text):
        return b""
    x = text ^ (text >> np.uint32(16))  # murmur3's finaliser: alike shingles' hashes spread over 32 bits
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    x = x ^ (x >> np.uint32(16))
    signature = (x[:, None] * _A + _B).min(axis=0)  # wraps at 2³²: the intended arithmetic
    # a band's rows mixed into one 64-bit number, its high half kept
    mixed = (signature[: bands * rows].reshape(bands, rows).astype(np.uint64) * _band_mixers(bands, rows)).sum(
        axis=1, dtype=np.uint64
    )
    keys: bytes = (mixed >> np.uint64(32)).astype("<u4").tobytes()
    return keys


def _jaccard(a: Shingles, b: Shingles) -> float:
    """The exact Jaccard similarity of two texts' shingles (sorted, distinct; ``a`` not empty)."""
    at = a.searchsorted(b)  # where each of b's would be in a (no sorting of both, as intersect1d does)
    np.minimum(at, len(a) - 1, out=at)  # one past the end: compared with a's last, which is smaller
    both = int(np.count_nonzero(a[at] == b))
    either = len(a) + len(b) - both
    return both / either if either else 0.0


def _similarities(text: Shingles, others: Sequence[Shingles]) -> list[float]:
    """The exact Jaccard similarity of ``text`` (not empty) with each of ``others`` (none empty), at once."""
    together = np.concatenate(others)
    at = text.searchsorted(together)
    np.minimum(at, len(text) - 1, out=at)
    starts = np.cumsum([0, *(len(o) for o in others[:-1])])
    both = np.add.reduceat((text[at] == together).astype(np.int64), starts)
    sizes = np.array([len(o) for o in others], dtype=np.int64)
    similarities: list[float] = (both / (len(text) + sizes - both)).tolist()
    return similarities


def _same_texts(sets: Sequence[Shingles], chosen: list[int]) -> dict[int, int]:
    """For each chosen text, the first chosen text with the very same shingles (its own index when none)."""
    first: dict[int, int] = {}
    same: dict[int, int] = {}
    for i in chosen:
        data = sets[i].tobytes()
        k = first.setdefault(hash(data), i)
        same[i] = k if k == i or sets[k].tobytes() == data else i  # a hash alike by chance: a text of its own
    return same


def _keys(sketches: Sequence[Sketch], bands: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """The texts' band keys, a row each, and per text and band whether another text has the same key there
    (only those keys can find anyone; an empty text has none)."""
    keys = np.zeros((len(sketches), bands), dtype=np.uint32)
    filled = np.array([len(s) == 4 * bands for s in sketches], dtype=bool)
    if filled.any():
        together = b"".join(s for s in sketches if len(s) == 4 * bands)
        keys[filled] = np.frombuffer(together, dtype="<u4").reshape(-1, bands)
    shared = np.zeros(keys.shape, dtype=bool)
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        ordered = keys[order, band]
        same = ordered[1:] == ordered[:-1]
        mates = np.zeros(len(order), dtype=bool)
        mates[1:] |= same
        mates[:-1] |= same
        shared[order, band] = mates
    shared[~filled] = False
    return keys, shared


def near_duplicates(
    sets: Sequence[Shingles],
    owners: Sequence[object],
    threshold: float,
    at_once: int = AT_ONCE,
    sketches: Sequence[Sketch] | None = None,
) -> list[Group]:
    """Groups of texts at least `threshold` similar whose owners differ (an owner's own texts never pair);
    a text with more than ``at_once`` candidates is compared with them in one step. ``sketches`` are the
    texts' `sketch` at this threshold, when already known."""
    bands, _rows = banding(index_threshold(threshold))
    keys, shared = _keys(sketches if sketches is not None else [sketch(s, threshold) for s in sets], bands)
    tables: list[dict[int, list[int]]] = [{} for _ in range(bands)]  # band key → texts indexed under it
    parent = list(range(len(sets)))
    least: dict[int, float] = {}
    indexed: dict[int, int] = {}  # per group (by its root): members in the index

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    meeting = np.flatnonzero(shared.any(axis=1)).tolist()  # a text sharing no band key meets nobody
    same = _same_texts(sets, meeting)
    known: dict[tuple[int, int], float] = {}  # similarities of texts by `same`: alike drafts repeat their pairs

    def similarity_of(i: int, j: int) -> float:
        a, b = same[i], same[j]
        if a == b:
            return 1.0
        pair = (a, b) if a < b else (b, a)
        found = known.get(pair)
        if found is None:
            found = known[pair] = _jaccard(sets[i], sets[j])
        return found

    mates = shared.tobytes()  # a byte per text and band (a numpy element read costs more than the work)
    for i in meeting:
        mine, owner = root(i), owners[i]  # its group's root, followed as it joins (no walk per candidate)
        row = mates[i * bands : (i + 1) * bands]
        mine_keys = [(band, key) for band, key in enumerate(keys[i].tolist()) if row[band]]
        found = {j for band, key in mine_keys for j in tables[band].get(key, ())}
        candidates = [j for j in sorted(found) if owners[j] != owner and root(j) != mine]
        many = len(candidates) > at_once  # alike texts that never joined: all compared in one step
        similarities = _similarities(sets[i], [sets[j] for j in candidates]) if many else [None] * len(candidates)
        for j, known_similarity in zip(candidates, similarities, strict=True):
            theirs = root(j)
            if theirs == mine:  # joined the same group just now: nothing to learn
                continue
            similarity = similarity_of(i, j) if known_similarity is None else known_similarity
            if similarity < threshold:
                continue
            least[theirs] = min(least.get(mine, 1.0), least.get(theirs, 1.0), similarity)
            parent[mine] = theirs
            indexed[theirs] = indexed.get(mine, 0) + indexed.get(theirs, 0)
            mine = theirs
        if indexed.get(mine, 0) < MAX_INDEXED:  # a large group answers queries through a few of its members
            for band, key in mine_keys:
                tables[band].setdefault(key, []).append(i)
            indexed[mine] = indexed.get(mine, 0) + 1
    groups: dict[int, list[int]] = {}
    for i in range(len(sets)):
        groups.setdefault(root(i), []).append(i)
    return [Group(tuple(members), round(least.get(r, 1.0), 3)) for r, members in groups.items() if len(members) > 1]
