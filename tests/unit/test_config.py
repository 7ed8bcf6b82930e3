from __future__ import annotations

from pathlib import Path

import pytest

from profilegen.config import Settings, api_key, load_settings
from profilegen.errors import InputError


def test_layering_file_env_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurrency: 3\nmodel: from-file\nformats: [json]\nexcel:\n  sheet: data\n", encoding="utf-8")
    monkeypatch.setenv("PROFILEGEN_MODEL", "from-env")
    monkeypatch.setenv("PROFILEGEN_FORMATS", "json, md")
    monkeypatch.setenv("PROFILEGEN_OTHER", "ignored")
    monkeypatch.setenv("PROFILEGEN_PRICES", '{"input": 0.5, "output": 1.5}')
    settings = load_settings(config, {"concurrency": 9})
    assert settings.concurrency == 9
    assert settings.model == "from-env"
    assert settings.formats == ["json", "md"]
    assert settings.excel.sheet == "data"
    assert settings.prices == {"input": 0.5, "output": 1.5}


def test_unknown_key_suggests_nearest(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurency: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown key 'concurency'\. Did you mean 'concurrency'"):
        load_settings(config)


def test_bad_value_and_key_in_file_refused(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurrency: 0\n", encoding="utf-8")
    with pytest.raises(InputError, match="setting 'concurrency'"):
        load_settings(config)
    config.write_text("api_key: sk-secret\n", encoding="utf-8")
    with pytest.raises(InputError, match="never read from a file") as info:
        load_settings(config)
    assert "sk-secret" not in str(info.value)
    with pytest.raises(InputError, match="config file not found"):
        load_settings(tmp_path / "missing.yaml")


def test_bad_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILEGEN_PRICES", "x")
    with pytest.raises(InputError, match=r"environment: error parsing value for field .prices"):
        load_settings()
    monkeypatch.delenv("PROFILEGEN_PRICES")
    monkeypatch.setenv("PROFILEGEN_CONCURRENCY", "many")
    with pytest.raises(InputError, match=r"^PROFILEGEN_CONCURRENCY: Input should be a valid integer"):
        load_settings()


def test_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("language: en\n", encoding="utf-8")
    monkeypatch.setenv("PROFILEGEN_CONFIG", str(config))
    assert load_settings().language == "en"


def test_api_key_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert api_key() is None
    monkeypatch.setenv("OPENAI_API_KEY", "c")
    monkeypatch.setenv("OPENROUTER_API_KEY", "b")
    assert api_key() == "b"
    monkeypatch.setenv("PROFILEGEN_API_KEY", "a")
    assert api_key() == "a"


def test_defaults_name_no_org_and_no_sample_kpis(tmp_path: Path) -> None:
    from profilegen.kpi.catalog import load_catalog

    settings = Settings()
    assert settings.org is None, "no silent default organisation"
    assert settings.state_dir is None, "the journal lives in OUT/.profilegen by default"
    assert settings.resolved_kpi_dir() == Path("kpi") and not Path("kpi").exists()
    catalog = load_catalog(settings.resolved_kpi_dir(), required=False)
    assert catalog.files == [] and catalog.generic is not None and len(catalog.templates) == 2
    assert "templates shipped with profilegen" in catalog.notices[0]
