"""Helpers of the twin tests: a new embedded store of the tiny municipality Testort."""

from __future__ import annotations

from pathlib import Path

import shapely

from twin.store.base import MunicipalityRecord
from twin.store.embedded import EmbeddedStore

BOUNDARY = shapely.box(600000, 5500000, 601000, 5501000)


def store_at(folder: Path) -> EmbeddedStore:
    """An embedded store in ``folder`` holding Testort (``BOUNDARY``) and nothing else."""
    store = EmbeddedStore(folder / "twin.gpkg")
    store.set_municipality(
        MunicipalityRecord("testort", "Testort", "09999999", "EPSG:25832", BOUNDARY, False, ""),
        actor="pytest",
    )
    return store
