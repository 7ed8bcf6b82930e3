from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dawg_python  # type: ignore[import-untyped]
import pymorphy3
import pytest

from profilegen.kpi.dawg import RecordDawg
from profilegen.kpi.lemma import Bag, Lexicon, WordIndex, dictionary_path, phrase, same_phrase, same_word, word
from tests.conftest import A101, KPI_DIR, needs_a101

WORDS = dictionary_path() / "words.dawg"


@pytest.fixture(scope="module")
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(path=str(dictionary_path()), lang="ru")


def _sample_words(per_prefix: int) -> list[str]:
    """Dictionary words under prefixes common in unit names (and ё, по-, наи- paradigms), ё written е."""
    keys = dawg_python.RecordDAWG(">HH").load(str(WORDS))
    found = []
    for prefix in ("зак", "пер", "отд", "упр", "дан", "раз", "под", "ёл", "наи", "по", "ст", "ко", "и", "а"):
        found += [key.replace("ё", "е") for key, _ in zip(keys.iterkeys(prefix), range(per_prefix), strict=False)]
    return found


def test_dawg_reader_finds_what_dawg_python_finds() -> None:
    ours = RecordDawg(WORDS, ">HH")
    theirs = dawg_python.RecordDAWG(">HH").load(str(WORDS))
    replaces = theirs.compile_replaces({"е": "ё"})
    for key in [*_sample_words(100), "елка", "ежик", "еще", "несуществующееслово", "xyz", "е"]:
        assert ours.similar_items(key, {"е": "ё"}) == theirs.similar_items(key, replaces), key


def test_lexicon_gives_every_dictionary_normal_form_pymorphy3_gives(analyzer: pymorphy3.MorphAnalyzer) -> None:
    lexicon = Lexicon(dictionary_path())
    checked = 0
    for key in _sample_words(400):
        expected = {
            p.normal_form.replace("ё", "е")
            for p in analyzer.parse(key)
            if type(p.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"
        }
        assert lexicon.normal_forms(key) == frozenset(expected), key
        checked += 1
    assert checked > 4000
    assert lexicon.normal_forms("цифровизации") is None  # not in the dictionary


def test_truncated_dictionary_and_unknown_format_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "words.dawg"
    broken.write_bytes(WORDS.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated DAWG"):
        RecordDawg(broken, ">HH")
    (tmp_path / "meta.json").write_text('[["format_version", "3.0"]]', encoding="utf-8")
    with pytest.raises(RuntimeError, match="dictionary format '3.0'"):
        Lexicon(tmp_path)


def test_words_share_a_lemma_across_forms_and_readings() -> None:
    assert same_word(word("закупки"), word("закупок"))
    assert same_word(word("данных"), word("данный")) and same_word(word("данных"), word("данные"))
    assert same_word(word("елки"), word("ёлка".replace("ё", "е")))
    assert not same_word(word("закупки"), word("продажи"))
    assert same_word(word("hr"), word("hr")) and not same_word(word("hr"), word("it"))
    assert same_phrase(phrase("Департамент закупок"), phrase("департамент закупки"))
    assert not same_phrase(phrase("Департамент закупок"), phrase("Департамент закупок и логистики"))


def test_unknown_words_are_compared_by_pymorphy3s_prediction() -> None:
    unknown, other_form = word("цифровизации"), word("цифровизация")
    assert unknown.lemmas is None and other_form.lemmas is None
    assert same_word(unknown, other_form)
    assert not same_word(unknown, word("цифровой"))  # an unknown form is never a form of a known word
    bag = Bag(phrase("Департамент цифровизации"))
    assert other_form in bag and word("департаменты") in bag and word("отдел") not in bag


def test_word_index_finds_candidates_by_lemma_and_by_the_start_of_unknown_words() -> None:
    index = WordIndex()
    index.add("procurement", phrase("закупки"))
    index.add("digital", phrase("цифровизация"))
    assert index.hits(phrase("Отдел закупок")) == {"procurement"}
    assert index.hits(phrase("Управление цифровизации")) == {"digital"}
    assert index.hits(phrase("Отдел продаж")) == set()


@needs_a101
def test_mapping_the_fixture_never_loads_pymorphy3() -> None:
    # The sample files have no word the dictionary lacks that meets one in the fixture: no analyser load.
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from profilegen.org.loader import load_org\nfrom profilegen.kpi.catalog import load_catalog\n"
        "from profilegen.kpi.mapping import KpiMapper\n"
        f"org = load_org(Path({str(A101 / 'Structure.xlsx')!r}))\n"
        f"mapping = KpiMapper(load_catalog(Path({str(KPI_DIR)!r}))).map_org(org)\n"
        "print(len(mapping), 'pymorphy3' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["567", "False"]
