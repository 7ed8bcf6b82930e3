from hypothesis import given
from hypothesis import strategies as st

from profilegen.text import _TRANSLATE, _translated, has_control_chars, normalize, normalize_all, words


def test_normalize_folds_case_yo_quotes_dashes_and_spaces() -> None:
    assert normalize("Дирекция «Социальные  объекты»") == normalize('дирекция "социальные объекты"')
    assert normalize("Группа\u00a0финансовой\u00a0отчётности") == "группа финансовой отчетности"
    assert normalize("Бизнес—аналитик") == normalize("бизнес-аналитик")


def test_normalize_keeps_everything_else_apart() -> None:
    assert normalize("Отдел продаж") != normalize("Отдел продаж 2")
    assert normalize("Отдел CRM") != normalize("Отдел CRN")


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(st.text(alphabet=st.sampled_from("«»„“”‟\"'‘’‚‛`´‐‑‒–—―−ёЁеЕ -aАя\u00a0")) | st.text())
def test_replacing_one_character_after_another_is_the_translation_table(text: str) -> None:
    assert _translated(text) == text.translate(_TRANSLATE)


_TRICKY = "«»\"'—–ёЁ aZß\u00a0\t\n\r\x1c\x85\u2028\u0301\u0306иИ"


@given(st.lists(st.text(alphabet=st.sampled_from(_TRICKY)) | st.text(), max_size=6))
def test_normalizing_texts_together_is_normalizing_each(texts: list[str]) -> None:
    assert normalize_all(texts) == [normalize(text) for text in texts]


def test_words_are_whole_words() -> None:
    assert words("Управление «ипотечного» кредитования") == ["управление", "ипотечного", "кредитования"]


def test_control_chars() -> None:
    assert has_control_chars("a\x00b")
    assert not has_control_chars("Отдел")
