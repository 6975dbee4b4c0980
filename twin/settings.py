"""Process-wide settings from the environment (prefix ``TWIN_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the workspace is and who acts when nobody logged in."""

    model_config = SettingsConfigDict(env_prefix="TWIN_")

    workspace: Path = Field(
        default_factory=lambda: Path.cwd() / "workspace",
        description="Folder with one sub-folder per municipality.",
    )
    actor: str = Field("cli", description="Name recorded in the audit log for CLI writes.")


@lru_cache
def get_settings() -> Settings:
    """Return the settings, read once (tests clear the cache or override the dependency)."""
    return Settings()
