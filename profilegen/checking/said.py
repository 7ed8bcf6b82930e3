"""What a finding says, in the language of the profiles' form: HR reads A101's Russian cards, the report and the
exceptions workbook in Russian; the English form's findings are said in English. The rule's name stays as it is
(an identifier, in every language)."""

from __future__ import annotations

from typing import Any

from profilegen.text import counted

_SAID = {
    "en": {
        "generic_markers": "{count} ({said}): «{first}»",
        "empty_section": "«{label}» is empty",
        "malformed_section": "{belongs} here, not {instead}",
        "among": "{what} among them",
        "thin_section": "«{label}»: {count} of at least {least}",
        "duplicate_tasks": "said twice: «{task}»",
        "foreign_unit_task": "names the unit «{unit}» beside its own: «{task}»",
        "specialist_levels": "a specialist with every skill at 4 ({count})",
        "head_levels": "a head with every skill at 1 ({count})",
        "kpi_weights": "KPI weights sum to {total}, not 1 ({count} weighted)",
        "template_kpis": "KPIs from a template ({file}), not HR's own card or unit file",
        "facts_mismatch": "«{label}»: the profile says {said}, the facts say {now}",
        "nothing": "nothing",
        "empty_career": "no feeder and no target position",
        "near_duplicate": "nearly the same text (similarity ≥ {similarity}) as {others}: ",
        "more": "; and {count} more",
        # what belongs in a field of each kind, and what a value is
        "belongs_text": "a text belongs",
        "belongs_choice": "one of its values belongs",
        "belongs_number": "a number belongs",
        "belongs_list": "a list of items belongs",
        "belongs_table": "rows belong",
        "belongs_areas": "groups of items belong",
        "text": "a text",
        "number": "a number",
        "yes_no": "a yes or no",
        "object": "an object",
        "a_list": "a list",
        "empty": "an empty value",
    },
    "ru": {
        "generic_markers": "{count} ({said}): «{first}»",
        "empty_section": "«{label}» не заполнено",
        "malformed_section": "здесь {belongs}, а не {instead}",
        "among": "{what} среди них",
        "thin_section": "«{label}»: {count}, нужно не меньше {least}",
        "duplicate_tasks": "сказано дважды: «{task}»",
        "foreign_unit_task": "называет чужое подразделение «{unit}»: «{task}»",
        "specialist_levels": "специалист, у которого все знания на уровне 4 ({count})",
        "head_levels": "руководитель, у которого все знания на уровне 1 ({count})",
        "kpi_weights": "сумма весов КПЭ {total}, а не 1 (весов: {count})",
        "template_kpis": "КПЭ из шаблона ({file}), а не из карты КПЭ или файла подразделения от HR",
        "facts_mismatch": "«{label}»: в профиле {said}, а по данным {now}",
        "nothing": "пусто",
        "empty_career": "нет ни позиций-доноров, ни целевых позиций",
        "near_duplicate": "почти тот же текст (сходство ≥ {similarity}), что у {others}: ",
        "more": "; и ещё {count}",
        "belongs_text": "должен быть текст",
        "belongs_choice": "должно быть одно из значений",
        "belongs_number": "должно быть число",
        "belongs_list": "должен быть список пунктов",
        "belongs_table": "должны быть строки",
        "belongs_areas": "должны быть группы пунктов",
        "text": "текст",
        "number": "число",
        "yes_no": "да или нет",
        "object": "объект",
        "a_list": "список",
        "empty": "пустое значение",
    },
}

# counted things: English singular and plural; Russian for 1, 2 and 5
_COUNTED: dict[str, tuple[tuple[str, str], tuple[str, str, str]]] = {
    "generic phrase": (("generic phrase", "generic phrases"), ("общая фраза", "общие фразы", "общих фраз")),
    "item": (("item", "items"), ("пункт", "пункта", "пунктов")),
    "skill": (("skill", "skills"), ("знание", "знания", "знаний")),
    "row": (("row", "rows"), ("строка", "строки", "строк")),
    "position": (("position", "positions"), ("должности", "должностей", "должностей")),
}


def say(language: str, key: str, **values: Any) -> str:
    """A finding's words in the language (English for a language profilegen has no words in)."""
    return _SAID.get(language, _SAID["en"])[key].format(**values)


def count(language: str, number: int, thing: str) -> str:
    """`3 generic phrases`, «3 общие фразы»."""
    english, russian = _COUNTED[thing]
    return counted(language, number, english, russian)
