from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dawg_python  # type: ignore[import-untyped]
import pymorphy3
import pytest

from profilegen.words.dawg import RecordDawg
from profilegen.words.lexicon import Bag, Lexicon, TermIndex, dictionary_path, matches, same_phrase, term, terms
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


def test_lexicon_gives_the_forms_of_every_lexeme_pymorphy3_finds(analyzer: pymorphy3.MorphAnalyzer) -> None:
    lexicon = Lexicon(dictionary_path())
    checked = 0
    for key in _sample_words(300):
        expected = {
            form.word.replace("ё", "е")
            for p in analyzer.parse(key)
            if type(p.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"
            for form in p.lexeme
        }
        assert lexicon.forms(key) == frozenset(expected), key
        checked += 1
    assert checked > 3000
    assert lexicon.forms("цифровизации") is None and not lexicon.knows("цифровизации")


def test_truncated_dictionary_and_unknown_format_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "words.dawg"
    broken.write_bytes(WORDS.read_bytes()[:1000])
    with pytest.raises(ValueError, match="truncated DAWG"):
        RecordDawg(broken, ">HH")
    (tmp_path / "meta.json").write_text('[["format_version", "3.0"]]', encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"dictionary format '3\.0'"):
        Lexicon(tmp_path)


def _words(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in terms(text))


def test_a_word_matches_every_form_of_every_reading() -> None:
    assert matches(term("закупки"), "закупок") and matches(term("закупок"), "закупкам")
    assert matches(term("данных"), "данный") and matches(term("данных"), "данные")
    assert matches(term("елка"), "елки")  # the dictionary spells it ёлка; normalised text has е
    assert not matches(term("закупки"), "продажи") and not matches(term("закупки"), "закуп")
    assert matches(term("hr"), "hr") and not matches(term("hr"), "it")
    assert same_phrase(terms("Департамент закупок"), _words("департамент закупки"))
    assert not same_phrase(terms("Департамент закупок"), _words("Департамент закупок и логистики"))


def test_unknown_words_are_compared_by_pymorphy3s_prediction() -> None:
    unknown = term("цифровизация")
    assert unknown.forms is None
    assert matches(unknown, "цифровизации") and matches(unknown, "цифровизация")
    assert not matches(unknown, "цифровой")  # a word the dictionary knows is never a form of an unknown one
    assert not matches(term("цифровой"), "цифровизации")
    bag = Bag(_words("Департамент цифровизации"))
    assert unknown in bag and term("департаменты") in bag and term("отдел") not in bag


def test_term_index_finds_candidates_by_form_and_by_the_start_of_unknown_words() -> None:
    index = TermIndex()
    index.add("procurement", terms("закупки"))
    index.add("digital", terms("цифровизация"))
    assert index.hits(_words("Отдел закупок")) == {"procurement"}
    assert index.hits(_words("Управление цифровизации")) == {"digital"}
    assert index.hits(_words("Отдел продаж")) == set()


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


def test_older_dictionaries_with_prefixes_in_their_own_file_read_the_same(tmp_path: Path) -> None:
    source = dictionary_path()
    for name in ("words.dawg", "suffixes.json", "paradigms.array"):
        (tmp_path / name).symlink_to(source / name)
    meta = dict(json.loads((source / "meta.json").read_text("utf-8")))
    prefixes = meta["compile_options"].pop("paradigm_prefixes")
    (tmp_path / "paradigm-prefixes.json").write_text(json.dumps(prefixes), encoding="utf-8")
    (tmp_path / "meta.json").write_text(json.dumps(list(meta.items())), encoding="utf-8")
    older, current = Lexicon(tmp_path), Lexicon(source)
    for key in ("закупок", "наилучший", "персоналу", "поподробнее"):
        assert older.forms(key) == current.forms(key)
