"""Conversion factors from built floor area to people, in one place for every indicator.

German statistics give living space per person and dwelling sizes, not residents per
square metre of a building's gross floor area (Bruttogrundfläche), so two steps are
needed: the share of gross floor area that is living space, and living space per person.
The heat model uses them to count residents exposed to heat; the land-use indicators use
the same numbers. A municipality can override them in its config.

Examples
--------
>>> round(residents_from_floor_area(1000.0, "residential"), 1)  # 1000 m² GFA of flats
15.7
>>> residents_from_floor_area(1000.0, "industrial")
0.0
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike

#: Living space per person, m² (Destatis, Mikrozensus 2022: 47.7 m² in 2021).
LIVING_SPACE_PER_PERSON_M2: Final = 47.7
#: Share of a residential building's gross floor area that is living space. An assumption
#: (walls, stairs, cellars and technical rooms take the rest; 0.75-0.8 is the usual rule
#: of thumb, no official source found): change it here or in the municipality's config.
LIVING_SHARE_OF_FLOOR_AREA: Final = 0.75
#: Share of a mixed-use building's floor area that is residential (assumption: half).
RESIDENTIAL_SHARE_BY_USE: Final[dict[str, float]] = {"residential": 1.0, "mixed": 0.5}


def residents_from_floor_area(
    floor_area_m2: ArrayLike,
    use: ArrayLike,
    *,
    living_space_per_person: float = LIVING_SPACE_PER_PERSON_M2,
    living_share: float = LIVING_SHARE_OF_FLOOR_AREA,
) -> Any:
    """Residents living on ``floor_area_m2`` of gross floor area used as ``use``.

    Works on one building (numbers and a string) or many (arrays): a float or an array.
    """
    share = np.vectorize(lambda name: RESIDENTIAL_SHARE_BY_USE.get(name, 0.0), otypes=[float])
    residents = np.asarray(floor_area_m2, dtype=np.float64) * share(np.asarray(use, dtype=object))
    residents *= living_share / living_space_per_person
    return float(residents) if residents.ndim == 0 else residents
