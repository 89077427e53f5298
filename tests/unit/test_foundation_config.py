import pytest

from core.config import load_settings
from core.errors import ConfigError


def test_env_overrides_and_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("LUNETIER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LUNETIER_STORE", "PARIS2")
    monkeypatch.setenv("LUNETIER_CONFIG", str(tmp_path / "absent.toml"))
    s = load_settings()
    assert s.store == "PARIS2"
    assert s.database_url == str(tmp_path / "lunetier.db")
    assert s.documents_path == tmp_path / "documents"


def test_toml_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("LUNETIER_DB", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text('[lunetier]\ndb = "postgresql://u@h/db"\ntheme = "lunetier-light"\n', encoding="utf-8")
    s = load_settings(str(cfg))
    assert s.db == "postgresql://u@h/db"
    assert s.theme == "lunetier-light"


def test_env_wins_over_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "lunetier-light"\n', encoding="utf-8")
    monkeypatch.setenv("LUNETIER_THEME", "lunetier-contrast")
    assert load_settings(str(cfg)).theme == "lunetier-contrast"


@pytest.mark.parametrize("content", ["[lunetier\n", "theme = \n", 'reader = "usb"\n', 'unknown_key = 1\n',
                                     "\xff\xfe garbage"])
def test_corrupt_settings_file_is_one_clear_error(tmp_path, content):
    cfg = tmp_path / "config.toml"
    cfg.write_bytes(content.encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_settings(str(cfg))
    assert err.value.message_fr
    assert "Traceback" not in err.value.message_fr
