"""Building-area types of the Baunutzungsverordnung (BauNVO) and the § 17 check.

A designated building area in a Bebauungsplan has a type (WA, MI, GE, …) and a measure of
use: GRZ (site coverage, § 19: footprint ÷ plot), GFZ (floor-area ratio, § 20: floor
area of full storeys ÷ plot) and Z (number of full storeys). Since the 2021 amendment,
§ 17 gives *Orientierungswerte*: exceeding them is allowed with a planning justification,
so a finding is a ``warning``; in weekend-house and holiday-house areas the values must not
be exceeded, an ``error``. A GFZ larger than GRZ × Z cannot be built with Z storeys, also
an ``error``.

The table also says what each type becomes in the twin: its land-use class and the use
of the buildings a scenario assumes it to be built with.

Examples
--------
>>> AREA_TYPES["WA"].grz, AREA_TYPES["WA"].gfz, AREA_TYPES["WA"].landuse
(0.4, 1.2, 'residential')
>>> [f.message_en for f in check_measure("WA", grz=0.5, gfz=1.0, storeys=None)]
['GRZ 0.5 exceeds the § 17 guide value 0.4 for WA']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal


@dataclass(frozen=True)
class AreaType:
    """One BauNVO area type: § 17 guide values and what the twin makes of it."""

    name_de: str
    name_en: str
    grz: float
    gfz: float
    landuse: str
    building_use: str
    strict: bool = False


#: BauNVO §§ 2-11 area types with the § 17 guide values (BauNVO 2021). The one-letter
#: codes are the general building areas of a Flächennutzungsplan (§ 1(1)), checked
#: against the most permissive type they contain. SO stands for "other special areas";
#: SO-W (weekend houses, § 10) and SO-F (holiday houses) have binding limits.
AREA_TYPES: Final[dict[str, AreaType]] = {
    "WS": AreaType(
        "Kleinsiedlungsgebiet", "Small settlement area", 0.2, 0.4, "residential", "residential"
    ),
    "WR": AreaType(
        "Reines Wohngebiet", "Exclusively residential area", 0.4, 1.2, "residential", "residential"
    ),
    "WA": AreaType(
        "Allgemeines Wohngebiet", "General residential area", 0.4, 1.2, "residential", "residential"
    ),
    "WB": AreaType(
        "Besonderes Wohngebiet", "Special residential area", 0.6, 1.6, "residential", "residential"
    ),
    "MD": AreaType("Dorfgebiet", "Village area", 0.6, 1.2, "mixed", "mixed"),
    "MDW": AreaType(
        "Dörfliches Wohngebiet", "Village residential area", 0.6, 1.2, "mixed", "mixed"
    ),
    "MI": AreaType("Mischgebiet", "Mixed area", 0.6, 1.2, "mixed", "mixed"),
    "MU": AreaType("Urbanes Gebiet", "Urban area", 0.8, 3.0, "mixed", "mixed"),
    "MK": AreaType("Kerngebiet", "Core area", 1.0, 3.0, "mixed", "mixed"),
    "GE": AreaType("Gewerbegebiet", "Commercial area", 0.8, 2.4, "commercial", "commercial"),
    "GI": AreaType("Industriegebiet", "Industrial area", 0.8, 2.4, "industrial", "industrial"),
    "SO": AreaType("Sonstiges Sondergebiet", "Other special area", 0.8, 2.4, "public", "public"),
    "SO-W": AreaType(
        "Wochenendhausgebiet", "Weekend-house area", 0.2, 0.2, "residential", "other", strict=True
    ),
    "SO-F": AreaType(
        "Ferienhausgebiet", "Holiday-house area", 0.4, 1.2, "residential", "other", strict=True
    ),
    "W": AreaType(
        "Wohnbaufläche", "Residential building land", 0.6, 1.6, "residential", "residential"
    ),
    "M": AreaType("Gemischte Baufläche", "Mixed building land", 1.0, 3.0, "mixed", "mixed"),
    "G": AreaType(
        "Gewerbliche Baufläche", "Commercial building land", 0.8, 2.4, "commercial", "commercial"
    ),
    "S": AreaType("Sonderbaufläche", "Special building land", 0.8, 2.4, "public", "public"),
}


@dataclass(frozen=True)
class Finding:
    """A § 17 finding on one designated area."""

    severity: Literal["warning", "error"]
    message_de: str
    message_en: str


def check_measure(
    area_type: str, *, grz: float | None, gfz: float | None, storeys: float | None
) -> list[Finding]:
    """§ 17 findings for one area: guide values exceeded, GFZ not buildable with Z storeys."""
    rules = AREA_TYPES[area_type]
    severity: Literal["warning", "error"] = "error" if rules.strict else "warning"
    findings = []
    for label, value, limit in (("GRZ", grz, rules.grz), ("GFZ", gfz, rules.gfz)):
        if value is not None and value > limit + 1e-9:
            findings.append(
                Finding(
                    severity,
                    f"{label} {value:g} überschreitet den Orientierungswert {limit:g} "
                    f"des § 17 für {area_type}",
                    f"{label} {value:g} exceeds the § 17 guide value {limit:g} for {area_type}",
                )
            )
    if grz is not None and gfz is not None and storeys is not None and gfz > grz * storeys + 1e-9:
        findings.append(
            Finding(
                "error",
                f"GFZ {gfz:g} ist mit GRZ {grz:g} und {storeys:g} Vollgeschossen nicht erreichbar",
                f"GFZ {gfz:g} cannot be reached with GRZ {grz:g} and {storeys:g} full storeys",
            )
        )
    return findings


def planned_measure(
    area_type: str, *, grz: float | None, gfz: float | None, storeys: float | None
) -> tuple[float, float, bool]:
    """GRZ and GFZ a scenario builds with, and whether § 17 values filled a gap.

    Plans often leave values to a text or drawing the twin cannot read; then the area is
    assumed to be built to the § 17 guide value (an upper bound, said in the results).
    With GRZ and Z but no GFZ, GFZ = GRZ × Z.
    """
    rules = AREA_TYPES[area_type]
    filled = grz is None or gfz is None
    coverage = rules.grz if grz is None else grz
    if gfz is not None:
        ratio = gfz
    elif storeys is not None:
        ratio = coverage * storeys
        filled = grz is None
    else:
        ratio = rules.gfz
    return coverage, ratio, filled
