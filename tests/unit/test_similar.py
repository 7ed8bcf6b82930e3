"""Near-duplicate groups: the same whether a text's candidates are compared one by one or all at once."""

from __future__ import annotations

import random

from profilegen.checking.similar import near_duplicates, shingles


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
