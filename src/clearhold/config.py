"""Settings, read from the environment (prefix CLEARHOLD_) when asked for; nothing happens at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def _default_home() -> Path:
    """The user's data folder: $XDG_DATA_HOME/clearhold, else ~/.local/share/clearhold."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "clearhold"


class Settings(BaseSettings):
    """Where clearhold keeps its stores and how it behaves.

    Every field can be set by an environment variable named ``CLEARHOLD_<FIELD>``,
    e.g. ``CLEARHOLD_DATABASE_URL`` or ``CLEARHOLD_STORE``.
    """

    model_config = SettingsConfigDict(env_prefix="CLEARHOLD_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Folder for the embedded stores")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the records database; default: SQLite file in home",
    )
    store: Path | None = Field(
        default=None, description="Analytical store (Parquet + DuckDB); default: home/store"
    )
    data_dir: Path | None = Field(
        default=None,
        description="Folder of real public data (boundaries, lookups); default: ../shared/data if found",
    )
    drug_price_table: str = Field(
        default="illustrative-2023", description="Version of the drug price table used for new seizures"
    )
    secret_key: str | None = Field(default=None, description="Key for signing web sessions")
    tile_url: str | None = Field(default=None, description="Optional map tile URL for the web pages")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'clearhold.db').as_posix()}"

    @property
    def resolved_store(self) -> Path:
        return self.store if self.store is not None else self.home / "store"

    def resolved_data_dir(self) -> Path | None:
        """The folder of shared public data, or None when there is none to be found."""
        if self.data_dir is not None:
            return self.data_dir
        for candidate in (Path.cwd() / ".." / "shared" / "data", PACKAGE_DIR.parents[2] / ".." / "shared" / "data"):
            if candidate.is_dir():
                return candidate.resolve()
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
