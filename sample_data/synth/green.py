"""Trees and sensitive sites of Musterstadt.

Street trees stand every 20 m along one side of residential streets (1.5 m inside the kerb), park
trees are scattered in the parks; species and sizes follow a typical German street-tree
mix (lime, maple, oak, plane, hornbeam).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sample_data.synth.buildings import Building
from sample_data.synth.layout import Block, Street

SPECIES = [
    ("Tilia cordata", "Winter-Linde", 0.28),
    ("Acer platanoides", "Spitz-Ahorn", 0.24),
    ("Quercus robur", "Stiel-Eiche", 0.14),
    ("Platanus × hispanica", "Ahornblättrige Platane", 0.12),
    ("Carpinus betulus", "Hainbuche", 0.12),
    ("Aesculus hippocastanum", "Rosskastanie", 0.10),
]


def trees(
    streets: list[Street],
    parks: Sequence[BaseGeometry],
    buildings: BaseGeometry,
    town: BaseGeometry,
    rng: np.random.Generator,
) -> list[dict[str, object]]:
    """Street and park trees as attribute dicts with a ``geometry`` point."""
    points: list[tuple[Point, str]] = []
    for street in streets:
        if street.cls not in ("residential", "secondary"):
            continue
        # one row of trees on the sunny (south or west) side, every 20 m
        edge = street.geometry.offset_curve(street.width / 2 - 1.5)
        distances = np.arange(10.0, edge.length, 20.0)
        points += [(p, "street") for p in shapely.line_interpolate_point(edge, distances)]
    for park in parks:
        count = int(park.area / 300)
        minx, miny, maxx, maxy = park.bounds
        candidates = np.asarray(
            shapely.points(rng.uniform(minx, maxx, count * 2), rng.uniform(miny, maxy, count * 2))
        )
        inside = candidates[shapely.contains(park.buffer(-4), candidates)][:count]
        points += [(p, "park") for p in inside]
    keep = [
        (p, k) for p, k in points if town.contains(p) and not buildings.intersects(p.buffer(2.0))
    ]
    names = rng.choice(len(SPECIES), len(keep), p=[s[2] for s in SPECIES])
    crowns = rng.uniform(3.0, 15.0, len(keep)).round(1)
    return [
        {
            "id": f"B{i + 1:05d}",
            "species": SPECIES[n][0],
            "species_de": SPECIES[n][1],
            "crown_diameter_m": float(c),
            "height_m": float(round(c * 1.4 + 2, 1)),
            "planted": int(2024 - c * 5 - rng.integers(0, 8)),
            "kind": kind,
            "geometry": p,
        }
        for i, ((p, kind), n, c) in enumerate(zip(keep, names, crowns, strict=True))
    ]


def sensitive_sites(blocks: list[Block], buildings: list[Building]) -> list[dict[str, object]]:
    """Schools, kindergartens and the care home: places where heat matters most."""
    kinds = {"31001_3021": "school", "31001_3065": "kindergarten", "31001_3062": "care_home"}
    sites = [
        {
            "id": f"S{i + 1}",
            "name": b.name,
            "kind": kinds[b.function],
            "geometry": b.footprint.centroid,
        }
        for i, b in enumerate(x for x in buildings if x.function in kinds)
    ]
    market = next(b for b in blocks if b.quarter == "market").geometry.centroid
    sites.append(
        {
            "id": f"S{len(sites) + 1}",
            "name": "Praxisklinik am Markt",
            "kind": "clinic",
            "geometry": Point(market.x + 40, market.y - 70),
        }
    )
    return sites
