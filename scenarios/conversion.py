"""Conversion factors from built floor area and land use to people, homes, jobs and sealing.

German statistics give living space per person and dwelling sizes, not residents per
square metre of a building's gross floor area (Bruttogrundfläche), so two steps are
needed: the share of gross floor area that is living space, and living space per person.
Every indicator (heat exposure, land-use scenarios) takes its factors from here, and a
municipality overrides any of them in its config (``[landuse.factors]``). Each factor
names its source; factors marked *assumption* have none and should be checked locally.

Examples
--------
>>> round(residents_from_floor_area(1000.0, "residential"), 1)  # 1000 m² GFA of flats
15.7
>>> residents_from_floor_area(1000.0, "industrial")
0.0
>>> factors = Factors().with_overrides({"living_space_per_person": 40.0})
>>> float(round(factors.residents(np.array([1000.0]), np.array(["mixed"]))[0], 2))
9.38
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike

from twin.errors import ConfigError

#: Living space per person, m² (Destatis, Mikrozensus 2022: 47.7 m² in 2021).
LIVING_SPACE_PER_PERSON_M2: Final = 47.7
#: Share of a residential building's gross floor area that is living space. An assumption
#: (walls, stairs, cellars and technical rooms take the rest; 0.75-0.8 is the usual rule
#: of thumb, no official source found).
LIVING_SHARE_OF_FLOOR_AREA: Final = 0.75

#: Share of a building's floor area that is homes, by building use (mixed: assumption).
RESIDENTIAL_SHARE: Final[dict[str, float]] = {"residential": 1.0, "mixed": 0.5}
#: Gross floor area per job, m², by building use. Offices take about 26 m² per office
#: worker in the top-6 cities and 30-33 m² of rentable area (gif/JLL office surveys);
#: commercial floor area also holds shops and storage, so 35 m² is used (assumption).
#: Industry and public buildings: assumptions from the usual planning ranges
#: (production 80-150 m², schools and administration 40-60 m² per employee).
FLOOR_AREA_PER_JOB_M2: Final[dict[str, float]] = {
    "commercial": 35.0,
    "mixed": 35.0,
    "industrial": 100.0,
    "public": 50.0,
    "agricultural": 500.0,
}
#: Share of a mixed-use building's floor area that holds jobs (the non-residential half).
JOB_SHARE: Final[dict[str, float]] = {"mixed": 0.5}
#: Sealed share of the open (unbuilt) part of a land-use area. Derived from the IÖR
#: Monitor's total sealing by land use (2012: settlement 45 %, industry/commerce 61 %,
#: mixed 41 %, parks 11 %, traffic 37 %) after taking out typical building coverage;
#: traffic areas here are carriageways and squares, more sealed than the IÖR class with
#: its verges. Assumption where no figure exists.
OPEN_SPACE_SEALING: Final[dict[str, float]] = {
    "residential": 0.27,
    "mixed": 0.30,
    "commercial": 0.50,
    "industrial": 0.50,
    "public": 0.35,
    "green": 0.11,
    "allotments": 0.10,
    "cemetery": 0.15,
    "sport": 0.30,
    "sealed_open": 0.95,
    "traffic": 0.85,
    "agriculture": 0.0,
    "forest": 0.0,
    "natural": 0.0,
    "water": 0.0,
    "other": 0.20,
}


#: Where each factor comes from, for the provenance section of briefs.
FACTOR_SOURCES: Final[dict[str, str]] = {
    "living_space_per_person": "Destatis, Mikrozensus 2022: 47.7 m² living space per person (2021)",
    "living_share": "assumption: 0.75-0.8 of gross floor area is living space (rule of thumb)",
    "dwelling_size": "Destatis, Wohnungsbestand 2022: 92.1 m² average dwelling",
    "residential_share": "residential 1.0; mixed-use buildings half residential (assumption)",
    "floor_area_per_job": "offices 26-33 m² per worker (gif/JLL), 35 m² GFA for commerce; "
    "industry 100 m², public 50 m² (assumptions from planning ranges)",
    "job_share": "mixed-use buildings: the non-residential half holds jobs (assumption)",
    "open_space_sealing": "IÖR Monitor 2012 sealing by land use, less typical building "
    "coverage; traffic areas 0.85 (assumption)",
}


@dataclass(frozen=True)
class Factors:
    """The conversion factors of one municipality (defaults: see the module constants)."""

    living_space_per_person: float = LIVING_SPACE_PER_PERSON_M2
    living_share: float = LIVING_SHARE_OF_FLOOR_AREA
    #: Average dwelling size, m² living space (Destatis, Wohnungsbestand 2022: 92.1 m²).
    dwelling_size: float = 92.1
    residential_share: dict[str, float] = field(default_factory=lambda: dict(RESIDENTIAL_SHARE))
    floor_area_per_job: dict[str, float] = field(
        default_factory=lambda: dict(FLOOR_AREA_PER_JOB_M2)
    )
    job_share: dict[str, float] = field(default_factory=lambda: dict(JOB_SHARE))
    open_space_sealing: dict[str, float] = field(default_factory=lambda: dict(OPEN_SPACE_SEALING))

    def with_overrides(self, overrides: dict[str, Any]) -> Factors:
        """These factors with a municipality's overrides; unknown names are config errors."""
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                raise ConfigError(
                    f"[landuse.factors] {name} is not a conversion factor",
                    hint=f"Known factors: {', '.join(sorted(known))}.",
                )
            current = getattr(self, name)
            changes[name] = current | value if isinstance(current, dict) else float(value)
        return replace(self, **changes)

    def living_area(self, floor_area: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Living space (m²) in buildings of ``floor_area`` m² GFA used as ``use``."""
        return floor_area * _lookup(self.residential_share, use) * self.living_share

    def residents(self, floor_area: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Residents of buildings with ``floor_area`` m² GFA and ``use``."""
        return self.living_area(floor_area, use) / self.living_space_per_person

    def dwellings(self, floor_area: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Dwellings in buildings with ``floor_area`` m² GFA and ``use``."""
        return self.living_area(floor_area, use) / self.dwelling_size

    def jobs(self, floor_area: np.ndarray, use: np.ndarray) -> np.ndarray:
        """Jobs in buildings with ``floor_area`` m² GFA and ``use``."""
        per_job = _lookup(self.floor_area_per_job, use, default=np.inf)
        share = _lookup({**dict.fromkeys(self.floor_area_per_job, 1.0), **self.job_share}, use)
        return floor_area * share / per_job

    def sealing(self, landuse: np.ndarray) -> np.ndarray:
        """Sealed share of the open part of areas of these land-use classes."""
        return _lookup(self.open_space_sealing, landuse, default=self.open_space_sealing["other"])


def _lookup(table: dict[str, float], keys: np.ndarray, default: float = 0.0) -> np.ndarray:
    names = np.asarray(keys, dtype=object)
    values = np.full(names.shape, default, dtype=np.float64)
    for name, value in table.items():
        values[names == name] = value
    return values


def residents_from_floor_area(
    floor_area_m2: ArrayLike, use: ArrayLike, *, factors: Factors | None = None
) -> Any:
    """Residents living on ``floor_area_m2`` of gross floor area used as ``use``.

    Works on one building (numbers and a string) or many (arrays): a float or an array.
    """
    area = np.asarray(floor_area_m2, dtype=np.float64)
    residents = (factors or Factors()).residents(area, np.asarray(use, dtype=object))
    return float(residents) if residents.ndim == 0 else residents
