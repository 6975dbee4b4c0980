"""Sample data shipped with the toolkit, so that it runs out of the box.

Examples
--------
>>> get_path("musterstadt").name
'musterstadt.toml'
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent


def available() -> list[str]:
    """Slugs of the sample municipalities."""
    return sorted(p.name for p in _ROOT.iterdir() if (p / f"{p.name}.toml").is_file())


def get_path(name: str) -> Path:
    """Config file of the sample municipality ``name``."""
    path = _ROOT / name / f"{name}.toml"
    if not path.is_file():
        raise ValueError(f"no sample municipality {name!r}; available: {', '.join(available())}")
    return path
