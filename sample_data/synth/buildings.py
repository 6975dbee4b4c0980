"""Buildings of Musterstadt, placed block by block with typical German magnitudes.

Storeys are about 3 m; detached houses are ~11 × 13 m with 1–2 storeys, apartment rows
12 m deep with 3–5 storeys, historic perimeter blocks 12 m deep with 2–4 storeys,
industrial halls 8–12 m high. Functions are ALKIS Gebäudefunktion codes as surveying
offices deliver them in LoD1/LoD2 ("31001_1010" = Wohnhaus, ...). Buildings are set back
from the block edge and never overlap, so that GRZ (footprint / plot) per quarter is
typical: detached ~0.2, apartments ~0.3, core ~0.5, industry ~0.6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from sample_data.synth.layout import Block

STOREY_M = 3.0
ROOF_M = 1.2  # attic/roof construction above the top storey (LoD1 keeps it in the height)


@dataclass(frozen=True)
class Building:
    """One building footprint with its LoD1 attributes."""

    footprint: Polygon
    storeys: int
    height: float
    function: str
    name: str = ""


def _residential(rect: Polygon, storeys: int, code: str = "1010", name: str = "") -> Building:
    return Building(rect, storeys, storeys * STOREY_M + ROOF_M, f"31001_{code}", name)


def _rows(
    bounds: tuple[float, float, float, float], depth: float, setback: float
) -> list[tuple[float, float, float, float]]:
    """The building strips along a block's long (east-west) edges: two, or one if shallow."""
    minx, miny, maxx, maxy = bounds
    north = (minx + setback, maxy - setback - depth, maxx - setback, maxy - setback)
    south = (minx + setback, miny + setback, maxx - setback, miny + setback + depth)
    return [north, south] if maxy - miny >= 2 * (depth + setback) + 4 else [north]


def _split(strip: tuple[float, float, float, float], width: float, gap: float) -> list[Polygon]:
    minx, miny, maxx, maxy = strip
    starts = np.arange(minx, maxx - width + 1e-6, width + gap)
    return [shapely.box(x, miny, x + width, maxy) for x in starts]


def detached(block: Block, rng: np.random.Generator) -> list[Building]:
    """Einfamilienhäuser with garages on ~17 m wide parcels."""
    out = []
    for strip in _rows(block.geometry.bounds, 13.0, 6.0):
        for house in _split(strip, 11.0, 6.0):
            storeys = int(rng.choice([1, 2, 2, 2]))
            out.append(_residential(house, storeys))
            x1, y1 = house.bounds[2], house.bounds[1]
            out.append(Building(shapely.box(x1 + 0.5, y1, x1 + 3.5, y1 + 6), 1, 2.8, "31001_2463"))
    return out


def apartments(block: Block, rng: np.random.Generator) -> list[Building]:
    """Zeilenbau: parallel rows 12 m deep, split into houses of 3–5 storeys."""
    out = []
    for strip in _rows(block.geometry.bounds, 12.0, 8.0):
        for house in _split(strip, 18.0, 0.0):
            out.append(_residential(house, int(rng.integers(3, 6)), "1000"))
    return out


def rowhouses(block: Block, rng: np.random.Generator) -> list[Building]:
    """Reihenhäuser: 6 m wide units, two storeys, gaps between rows."""
    out = []
    for strip in _rows(block.geometry.bounds, 10.0, 7.0):
        for row in _split(strip, 36.0, 5.0):
            minx, miny, _, maxy = row.bounds
            out += [
                _residential(shapely.box(minx + 6 * i, miny, minx + 6 * i + 6, maxy), 2)
                for i in range(6)
            ]
    return out


def altstadt(block: Block, rng: np.random.Generator) -> list[Building]:
    """Closed perimeter blocks with shops below flats (gemischt genutzt)."""
    minx, miny, maxx, maxy = block.geometry.bounds
    ring = shapely.box(minx + 1, miny + 1, maxx - 1, maxy - 1).difference(
        shapely.box(minx + 13, miny + 13, maxx - 13, maxy - 13)
    )
    out = []
    for x in np.arange(minx, maxx, 14.0):
        piece = ring.intersection(shapely.box(x, miny, x + 14, maxy))
        for part in shapely.get_parts(piece):
            if part.area > 40:
                storeys = int(rng.integers(2, 5))
                out.append(Building(part, storeys, storeys * STOREY_M + ROOF_M, "31001_1100"))
    return out


def market(block: Block, rng: np.random.Generator) -> list[Building]:
    """Town hall and church at the market square."""
    minx, _miny, maxx, maxy = block.geometry.bounds
    return [
        Building(
            shapely.box(minx + 5, maxy - 25, minx + 35, maxy - 5), 3, 13.0, "31001_3012", "Rathaus"
        ),
        Building(
            shapely.box(maxx - 45, maxy - 25, maxx - 5, maxy - 7),
            1,
            18.0,
            "31001_3041",
            "St. Laurentius",
        ),
    ]


def industry(block: Block, rng: np.random.Generator) -> list[Building]:
    """Halls and an office building; the rest is yards and parking."""
    minx, miny, maxx, maxy = block.geometry.bounds
    width, depth = maxx - minx, maxy - miny
    hall_w = width * float(rng.uniform(0.55, 0.65))
    hall = shapely.box(minx + 6, miny + 6, minx + 6 + hall_w, maxy - 6)
    office = shapely.box(minx + 12 + hall_w, maxy - 6 - depth * 0.4, maxx - 6, maxy - 6)
    storeys = int(rng.integers(1, 3))
    code = str(rng.choice(["2100", "2111", "2112"]))
    return [
        Building(hall, storeys, float(rng.uniform(8, 12)), f"31001_{code}"),
        Building(office, 3, 3 * 3.4 + 0.6, "31001_2020"),
    ]


def school(block: Block, rng: np.random.Generator) -> list[Building]:
    """School with gym and a kindergarten on the same plot."""
    minx, miny, maxx, maxy = block.geometry.bounds
    return [
        Building(
            shapely.box(minx + 8, maxy - 22, minx + 70, maxy - 8), 3, 11.5, "31001_3021", block.name
        ),
        Building(
            shapely.box(maxx - 38, maxy - 30, maxx - 8, maxy - 8), 1, 7.5, "31001_3211", "Turnhalle"
        ),
        Building(
            shapely.box(minx + 8, miny + 8, minx + 30, miny + 24),
            1,
            4.2,
            "31001_3065",
            "Kita Regenbogen",
        ),
    ]


def care(block: Block, rng: np.random.Generator) -> list[Building]:
    """A care home with a garden."""
    minx, _miny, maxx, maxy = block.geometry.bounds
    return [
        Building(
            shapely.box(minx + 10, maxy - 26, maxx - 10, maxy - 10),
            3,
            10.2,
            "31001_3062",
            block.name,
        )
    ]


def cemetery(block: Block, rng: np.random.Generator) -> list[Building]:
    """Chapel of the cemetery."""
    minx, miny, _, _ = block.geometry.bounds
    return [
        Building(
            shapely.box(minx + 10, miny + 10, minx + 25, miny + 30),
            1,
            8.0,
            "31001_3043",
            "Friedhofskapelle",
        )
    ]


def sport(block: Block, rng: np.random.Generator) -> list[Building]:
    """Club house at the sports ground."""
    minx, miny, _, _ = block.geometry.bounds
    return [
        Building(
            shapely.box(minx + 5, miny + 5, minx + 30, miny + 17), 1, 4.2, "31001_3220", "Sportheim"
        )
    ]


def farmsteads(fields: list[Polygon], rng: np.random.Generator) -> list[Building]:
    """A few farmsteads (house + barn) out in the fields."""
    out = []
    for field in fields[:: max(1, len(fields) // 6)][:6]:
        x, y = field.centroid.x, field.centroid.y
        out.append(_residential(shapely.box(x, y, x + 12, y + 10), 2, "1010"))
        out.append(Building(shapely.box(x + 18, y - 5, x + 48, y + 15), 1, 9.0, "31001_2700"))
    return out


PLACERS = {
    "detached": detached,
    "apartments": apartments,
    "rowhouses": rowhouses,
    "altstadt": altstadt,
    "market": market,
    "industry": industry,
    "school": school,
    "care": care,
    "cemetery": cemetery,
    "sport": sport,
}


def place(blocks: list[Block], rng: np.random.Generator) -> list[Building]:
    """Buildings of every block; those not wholly inside their block are dropped."""
    out = []
    for block in blocks:
        placer = PLACERS.get(block.quarter)
        if placer is None:
            continue
        inside = block.geometry.buffer(-0.5)
        out += [b for b in placer(block, rng) if b.footprint.within(inside)]
    return out
