"""Near-duplicate groups: the same whether a text's candidates are compared one by one or all at once."""

from __future__ import annotations

import random

import numpy as np

from profilegen.checking.similar import banding, near_duplicates, shingles, sketch


def _families(families: int, members: int) -> list[str]:
    rnd = random.Random(3)
    texts = []
    for family in range(families):
        base = [f"слово{rnd.randrange(3000)}" for _ in range(120)]
        for member in range(members):
            own = set(rnd.sample(range(120), 2 if member % 5 else 0))  # every fifth a copy of the family's text
            texts.append(" ".join(f"иное{family}x{member}x{i}" if i in own else w for i, w in enumerate(base)))
    return texts


def test_many_alike_texts_below_the_threshold_are_compared_at_once_with_the_same_groups() -> None:
    sets = [shingles([text]) for text in _families(6, 30)]
    owners = list(range(len(sets)))
    at_once = near_duplicates(sets, owners, 0.9, at_once=4)
    one_by_one = near_duplicates(sets, owners, 0.9, at_once=10**9)
    assert [(g.members, g.similarity) for g in at_once] == [(g.members, g.similarity) for g in one_by_one]
    for family in range(6):  # each family's exact copies are found together
        copies = set(range(family * 30, family * 30 + 30, 5))
        assert any(copies <= set(g.members) for g in at_once), family


def test_an_owners_own_texts_never_pair_and_empty_texts_are_left_out() -> None:
    text = " ".join(f"слово{i}" for i in range(60))
    sets = [shingles([text]), shingles([text]), shingles([""]), shingles([text])]
    groups = near_duplicates(sets, ["a", "a", "b", "c"], 0.8, at_once=0)
    assert [g.members for g in groups] == [(0, 1, 3)]  # 0 and 1 joined through 3, never with each other


def test_bands_are_chosen_as_datasketch_chooses_them() -> None:
    # datasketch 2.0's MinHashLSH(threshold=t, num_perm=128): (b, r) for the index thresholds used (t - 0.1)
    assert banding(0.7) == (14, 9)
    assert banding(0.8) == (9, 13)
    assert banding(0.5) == (25, 5)
    assert banding(0.05) == (32, 1)
    assert banding(0.3) == (37, 3)
    assert banding(0.85) == (8, 16)


def test_a_texts_sketch_finds_its_near_copies_and_gives_the_same_groups_when_kept() -> None:
    texts = _families(4, 10)
    sets = [shingles([text]) for text in texts]
    sketches = [sketch(s, 0.8) for s in sets]
    assert all(len(k) == 4 * banding(0.7)[0] for k in sketches)
    keys = [np.frombuffer(k, dtype="<u4") for k in sketches]
    copy, near, other = keys[0], keys[5], keys[10]  # a family's text, its copy and another family's
    assert (copy == near).all(), "exact copies share every band"
    assert (keys[1] == copy).any(), "two words changed of 120: some band still the same"
    assert not (other == copy).any(), "texts of different families share no band"
    owners = list(range(len(sets)))
    kept = near_duplicates(sets, owners, 0.8, sketches=sketches)
    worked_out = near_duplicates(sets, owners, 0.8)
    assert [(g.members, g.similarity) for g in kept] == [(g.members, g.similarity) for g in worked_out]
    assert len(kept) == 4 and all(len(g.members) == 10 for g in kept)
    assert sketch(shingles([""]), 0.8) == b""
