from __future__ import annotations

from pathlib import Path

import pytest

from profilegen.config import Settings, api_key, load_settings
from profilegen.errors import InputError


def test_layering_file_env_flags(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurrency: 3\nmodel: from-file\nformats: [json]\nexcel:\n  sheet: data\n", encoding="utf-8")
    env = {"PROFILEGEN_MODEL": "from-env", "PROFILEGEN_FORMATS": "json, md", "PROFILEGEN_OTHER": "ignored"}
    settings = load_settings(config, {"concurrency": 9}, env)
    assert settings.concurrency == 9
    assert settings.model == "from-env"
    assert settings.formats == ["json", "md"]
    assert settings.excel.sheet == "data"


def test_unknown_key_suggests_nearest(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurency: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown key 'concurency'\. Did you mean 'concurrency'"):
        load_settings(config, environ={})


def test_bad_value_and_key_in_file_refused(tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("concurrency: 0\n", encoding="utf-8")
    with pytest.raises(InputError, match="setting 'concurrency'"):
        load_settings(config, environ={})
    config.write_text("api_key: sk-secret\n", encoding="utf-8")
    with pytest.raises(InputError, match="never read from a file") as info:
        load_settings(config, environ={})
    assert "sk-secret" not in str(info.value)
    with pytest.raises(InputError, match="config file not found"):
        load_settings(tmp_path / "missing.yaml", environ={})
    with pytest.raises(InputError, match="cannot be set from the environment"):
        load_settings(None, environ={"PROFILEGEN_PRICES": "x"})


def test_config_from_environment_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("language: en\n", encoding="utf-8")
    assert load_settings(None, environ={"PROFILEGEN_CONFIG": str(config)}).language == "en"


def test_api_key_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert api_key() is None
    monkeypatch.setenv("OPENAI_API_KEY", "c")
    monkeypatch.setenv("OPENROUTER_API_KEY", "b")
    assert api_key() == "b"
    monkeypatch.setenv("PROFILEGEN_API_KEY", "a")
    assert api_key() == "a"


def test_defaults_find_shipped_sample(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.resolved_org().name == "org_structure"
    assert settings.resolved_kpi_dir().is_dir()
