"""Land-cover classes and their table shared by the heat model's tests."""

from __future__ import annotations

from scenarios.heat import BiophysicalTable

CELL = 10.0
GREY, PARK, LAWN = 0, 1, 2
#: A sealed grey town, a shady park, an unshaded lawn (InVEST table columns).
ROWS: list[dict[str, float]] = [
    {
        "lucode": GREY,
        "shade": 0.0,
        "kc": 0.2,
        "albedo": 0.1,
        "green_area": 0,
        "building_intensity": 0.8,
    },
    {
        "lucode": PARK,
        "shade": 0.7,
        "kc": 1.0,
        "albedo": 0.2,
        "green_area": 1,
        "building_intensity": 0.0,
    },
    {
        "lucode": LAWN,
        "shade": 0.0,
        "kc": 0.8,
        "albedo": 0.2,
        "green_area": 0,
        "building_intensity": 0.1,
    },
]
TABLE = BiophysicalTable.from_rows(ROWS)
