"""Process-wide settings from the environment (prefix ``TWIN_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the workspace is, who acts when nobody logged in, where the server is reached."""

    model_config = SettingsConfigDict(env_prefix="TWIN_")

    workspace: Path = Field(
        default_factory=lambda: Path.cwd() / "workspace",
        description="Folder with one sub-folder per municipality.",
    )
    actor: str = Field("cli", description="Name recorded in the audit log for CLI writes.")
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The server's base URL as the public reaches it: the start of the links "
        "in what is published without a request to take them from (MQTT notifications of "
        "ingested and imported observations).",
    )


@lru_cache
def get_settings() -> Settings:
    """Return the settings, read once (tests clear the cache or override the dependency)."""
    return Settings()
