"""Settings.

Two kinds of settings, kept apart on purpose:
- machine settings (`Settings`): where the database and folders are, which reader and engine, the theme.
  They come from LUNETIER_* environment variables, then a TOML file in the user config dir, then defaults.
- shop settings of the manual (section XI: télétransmission options, ADRi mode, Paramétrage SV...): stored in
  the database (see core/services/settings.py) so that every counter of a shop shares them.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from platformdirs import user_config_dir, user_data_dir
from pydantic import Field, ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from core.errors import ConfigError

APP_NAME = "lunetier"


def default_config_file() -> Path:
    return Path(user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME))


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML settings file; a corrupt file is a ConfigError, not a traceback."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            with self.path.open("rb") as fh:
                data = tomllib.load(fh)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"Le fichier de paramètres {self.path} est illisible : {exc}",
                log=f"corrupt settings file {self.path}: {exc}",
            ) from exc
        except OSError as exc:
            raise ConfigError(f"Impossible de lire le fichier de paramètres {self.path} : {exc.strerror}",
                              log=f"cannot read settings file {self.path}: {exc}") from exc
        return data.get("lunetier", data)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LUNETIER_", extra="forbid", frozen=True)

    db: str | None = Field(default=None, description="Database URL or SQLite path")
    data_dir: Path = Field(default_factory=default_data_dir)
    documents_dir: Path | None = None
    mailbox_dir: Path | None = None
    theme: str = "lunetier-dark"
    reader: Literal["auto", "simulated", "pcsc"] = "auto"
    engine: Literal["demo"] = "demo"
    store: str = Field(default="MAG01", description="Store identifier (chains sharing one server)")
    demo_data: bool = Field(default=True, description="Load the demo dataset on first start")
    log_file: Path | None = None

    # Set on a per-call subclass by load_settings(config_file=...): no global state is touched.
    config_path: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        path_env = os.environ.get("LUNETIER_CONFIG")
        path = settings_cls.config_path or (Path(path_env) if path_env else default_config_file())
        return (init_settings, env_settings, _TomlSource(settings_cls, path))

    @property
    def database_url(self) -> str:
        return self.db or str(self.data_dir / "lunetier.db")

    @property
    def documents_path(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"

    @property
    def mailbox_path(self) -> Path:
        return self.mailbox_dir or self.data_dir / "mailbox"


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Build Settings; every failure becomes one ConfigError line."""
    cls = Settings
    if config_file:
        cls = type("Settings", (Settings,), {"config_path": Path(config_file)})
    try:
        return cls(**{k: v for k, v in overrides.items() if v is not None})
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"Paramètre invalide « {where} » : {first.get('msg')}",
                          log=f"invalid setting {where}: {first.get('msg')}") from exc
