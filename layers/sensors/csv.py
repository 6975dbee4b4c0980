"""Sensor data from CSV files: logger downloads, DWD climate files, SensorThings exports.

Municipalities get much of their sensor history as files: a logger's ``time,value`` export,
the German Weather Service's CDC text files (``produkt_klima_tag_*.txt``: ``;``-separated,
padded, ``-999`` for missing, an ``eor`` end-of-record column), or a SensorThings export of
Things and Locations from a city's FROST server. Each reader returns plain data in the
store's form and says precisely what in the file is wrong, with its line.

Examples
--------
>>> frame = read_observations(Path("sample_data/musterstadt/sensors/T01.csv"), unit="°C", expected_unit="°C")
>>> list(frame.columns), len(frame)
(['phenomenon_time', 'result'], 672)
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pyproj import CRS, Transformer

from twin.errors import DataFileError

DWD_MISSING = -999
DWD_ELEMENTS = {
    "TMK": ("air_temperature", "°C", "daily mean air temperature 2 m"),
    "TXK": ("air_temperature", "°C", "daily maximum air temperature 2 m"),
    "TNK": ("air_temperature", "°C", "daily minimum air temperature 2 m"),
    "RSK": ("other", "mm", "daily precipitation"),
    "UPM": ("other", "%", "daily mean relative humidity"),
}
"""DWD CDC daily elements the toolkit knows: element → (sensor kind, unit, meaning)."""

UNIT_CONVERSIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("K", "°C"): (1.0, -273.15),
    ("°F", "°C"): (5 / 9, -32 * 5 / 9),
    ("m", "cm"): (100.0, 0.0),
    ("mm", "cm"): (0.1, 0.0),
    ("m³/m³", "%"): (100.0, 0.0),
}
"""(from, to) → (factor, offset): ``to = from * factor + offset``."""


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def convert_units(values: pd.Series, *, unit: str, expected_unit: str, source: str) -> pd.Series:
    """Convert ``values`` from ``unit`` to the datastream's ``expected_unit``.

    Raises :class:`~twin.errors.DataFileError` for units that cannot be converted, since
    storing °F as °C or m as cm silently would corrupt every indicator built on them.
    """
    if unit == expected_unit:
        return values
    if (unit, expected_unit) not in UNIT_CONVERSIONS:
        raise DataFileError(
            f"{source}: values are in {unit!r} but the datastream expects {expected_unit!r}",
            hint="Give the file's unit with --unit; known conversions: "
            + ", ".join(f"{a}→{b}" for a, b in UNIT_CONVERSIONS),
        )
    factor, offset = UNIT_CONVERSIONS[(unit, expected_unit)]
    return values * factor + offset


def read_observations(
    path: Path,
    *,
    unit: str,
    expected_unit: str,
    time_column: str = "time",
    value_column: str = "value",
) -> pd.DataFrame:
    """Read a ``time,value`` CSV (any separator) as observations in the datastream's unit.

    Rows whose time or value cannot be read raise an error naming the first bad line:
    a logger file with garbage in it should be looked at, not half imported.
    """
    source = path.name
    try:
        raw = pd.read_csv(path, sep=None, engine="python", dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise DataFileError(f"{source}: cannot be read as CSV ({_first_line(err)})") from None
    missing = [c for c in (time_column, value_column) if c not in raw.columns]
    if missing:
        raise DataFileError(
            f"{source}: column(s) {missing} not found; the file has {list(raw.columns)}",
            hint="Name the columns with --time-column and --value-column.",
        )
    times = pd.to_datetime(raw[time_column], utc=True, errors="coerce", format="mixed")
    values = pd.to_numeric(raw[value_column].str.replace(",", ".", regex=False), errors="coerce")
    bad = times.isna() | values.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            f"{source}, line {row + 2}: cannot read time {raw[time_column].iloc[row]!r} or "
            f"value {raw[value_column].iloc[row]!r} ({int(bad.sum())} bad row(s) in all)",
            hint="Times must be ISO 8601 (2025-07-01T12:00:00Z), values numbers.",
        )
    values = convert_units(values, unit=unit, expected_unit=expected_unit, source=source)
    return pd.DataFrame({"phenomenon_time": times, "result": values.astype(float)})


@dataclass(frozen=True)
class DwdSeries:
    """One element of a DWD daily file: the station, what was measured, the values."""

    station: str
    element: str
    unit: str
    observations: pd.DataFrame
    missing: int


def read_dwd_daily(path: Path, *, element: str = "TMK") -> DwdSeries:
    """Read one element of a DWD CDC ``produkt_klima_tag_*.txt`` file.

    The daily value is stamped at 00:00 UTC of its day (the DWD climate day); ``-999``
    (missing) values are left out and counted, since they are not measurements.
    """
    if element not in DWD_ELEMENTS:
        raise DataFileError(
            f"unknown DWD element {element!r}", hint=f"Known: {', '.join(DWD_ELEMENTS)}."
        )
    try:
        raw = pd.read_csv(path, sep=";", dtype=str, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise DataFileError(
            f"{path.name}: cannot be read as a DWD CDC file ({_first_line(err)})"
        ) from None
    raw.columns = [c.strip() for c in raw.columns]
    needed = {"STATIONS_ID", "MESS_DATUM", element}
    if not needed <= set(raw.columns) or "eor" not in raw.columns:
        raise DataFileError(
            f"{path.name}: not a DWD daily climate file (columns {list(raw.columns)[:6]}…)",
            hint="Expected STATIONS_ID;MESS_DATUM;…;TMK;…;eor as in produkt_klima_tag_*.txt.",
        )
    days = pd.to_datetime(raw["MESS_DATUM"].str.strip(), format="%Y%m%d", errors="coerce", utc=True)
    values = pd.to_numeric(raw[element].str.strip(), errors="coerce")
    if days.isna().any():
        row = int(days.isna().to_numpy().nonzero()[0][0])
        raise DataFileError(
            f"{path.name}, line {row + 2}: MESS_DATUM {raw['MESS_DATUM'].iloc[row]!r} is not a date"
        )
    present = values.notna() & (values != DWD_MISSING)
    frame = pd.DataFrame(
        {"phenomenon_time": days[present], "result": values[present].astype(float)}
    )
    return DwdSeries(
        station=raw["STATIONS_ID"].iloc[0].strip(),
        element=element,
        unit=DWD_ELEMENTS[element][1],
        observations=frame.reset_index(drop=True),
        missing=int((~present).sum()),
    )


@dataclass(frozen=True)
class ExportedThing:
    """A Thing with its Location from a SensorThings CSV export, in the municipality's CRS."""

    iot_id: str
    name: str
    description: str
    x: float
    y: float
    properties: dict[str, Any]


def _properties(text: str) -> dict[str, Any]:
    """Exports write properties as JSON or as Python dict literals; accept both."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = ast.literal_eval(text)
    return value if isinstance(value, dict) else {"value": value}


def read_sta_things(path: Path, *, to_crs: CRS) -> list[ExportedThing]:
    """Read Things + Locations exported from a SensorThings server (one Thing per row)."""
    try:
        raw = pd.read_csv(path, dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise DataFileError(f"{path.name}: cannot be read as CSV ({_first_line(err)})") from None
    columns = {"@iot.id", "name", "Location_location.geometry.coordinates"}
    if not columns <= set(raw.columns):
        raise DataFileError(
            f"{path.name}: not a SensorThings Things export; missing {sorted(columns - set(raw.columns))}"
        )
    transformer = Transformer.from_crs(4326, to_crs, always_xy=True)
    things = []
    for line, row in enumerate(raw.itertuples(index=False, name=None), start=2):
        values = dict(zip(raw.columns, row, strict=True))
        try:
            lon, lat = json.loads(values["Location_location.geometry.coordinates"])[:2]
            properties = _properties(values.get("properties", ""))
        except (ValueError, SyntaxError, TypeError) as err:
            raise DataFileError(
                f"{path.name}, line {line}: unreadable location or properties ({err})"
            ) from None
        x, y = transformer.transform(float(lon), float(lat))
        things.append(
            ExportedThing(
                iot_id=str(values["@iot.id"]),
                name=str(values["name"]),
                description=str(values.get("description", "") or ""),
                x=float(x),
                y=float(y),
                properties=properties,
            )
        )
    return things
