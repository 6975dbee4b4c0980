"""A municipality described in one TOML file.

The config is the only thing a new municipality writes: who it is (name, slug, AGS key,
CRS, boundary), which layers it has and where they come from, its sensors and users.
:func:`load_config` reads and checks it and reports *every* problem at once, each with
its key path and how to fix it, so that an administrator can correct a file in one go.

Examples
--------
>>> from pathlib import Path
>>> cfg = load_config(Path("sample_data/musterstadt/musterstadt.toml"))
>>> cfg.slug, cfg.crs
('musterstadt', 'EPSG:25832')
"""

from __future__ import annotations

import datetime
import re
import tomllib
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from twin.errors import ConfigError, CRSError, DataFileError

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def identifier(value: str, *, what: str, longest: int, example: str) -> str:
    """``value`` if it can name something in URLs and tables (a layer, a category).

    Lower-case letters, digits, ``_`` or ``-``, starting with a letter, at most
    ``longest`` characters; else the error names ``what`` and gives ``example``.
    """
    if not re.fullmatch(rf"[a-z][a-z0-9_-]{{0,{longest - 1}}}", value):
        raise ValueError(
            f"{what} {value!r} must be lower-case letters, digits, '_' or '-', starting "
            f"with a letter, at most {longest} characters (e.g. {example!r})"
        )
    return value


class Classification(StrEnum):
    """Who may see a layer; see ``docs/architecture.md`` for the policy."""

    PUBLIC = "public"
    COUNCIL = "council"
    INTERNAL = "internal"
    PERSONAL = "personal"


class LayerKind(StrEnum):
    """What a layer is; decides how its features are read and normalised."""

    VECTOR = "vector"
    BUILDINGS = "buildings"
    LANDUSE = "landuse"
    TREES = "trees"
    STREETS = "streets"
    DISTRICTS = "districts"
    RASTER = "raster"


class Role(StrEnum):
    """Roles a user can hold in one municipality."""

    PARTICIPANT = "participant"
    COUNCIL = "council"
    ADMINISTRATION = "administration"
    ADMIN = "admin"


VECTOR_FORMATS = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".fgb": "flatgeobuf",
    ".tif": "geotiff",
    ".tiff": "geotiff",
    ".gml": "citygml",
    ".xml": "citygml",
    ".city.json": "cityjson",
}
"""File suffix → format name, used when a layer does not say its ``format``."""

Format = Literal["gpkg", "geojson", "shapefile", "flatgeobuf", "geotiff", "citygml", "cityjson"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The languages of labels, views and reports: German (the default) and English.
Lang = Literal["de", "en"]


class LocalText(_Strict):
    """A label in German (the default) and English."""

    de: str
    en: str = ""

    def get(self, lang: str) -> str:
        """Return the label in ``lang``, falling back to German."""
        return self.en if lang == "en" and self.en else self.de


class LayerConfig(_Strict):
    """One layer of the twin and where its data comes from."""

    name: str = Field(
        description="Collection id, e.g. 'buildings'; lower case, digits, '_' or '-'."
    )
    title: LocalText
    kind: LayerKind = LayerKind.VECTOR
    path: Path = Field(description="Data file, relative to the config file.")
    format: Format | None = None
    layer: str | None = Field(None, description="Layer inside a multi-layer file (GeoPackage).")
    where: str | None = Field(None, description='OGR SQL filter, e.g. "building IS NOT NULL".')
    classification: Classification
    owner: str = Field(description="Owning department, e.g. 'Stadtplanungsamt'.")
    licence: str
    source: str
    attribution: str = ""
    id_field: str | None = None
    required: list[str] = Field(default_factory=list)
    geometry: Literal["point", "line", "polygon"] | None = None
    time_field: str | None = None
    mapping: Literal["osm", "alkis", "toolkit"] | None = None
    class_field: str | None = None
    description: LocalText | None = None

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        return identifier(value, what="layer name", longest=63, example="street_trees")

    @property
    def file_format(self) -> str:
        """The declared format, or the one implied by the file suffix."""
        if self.format:
            return self.format
        name = self.path.name.lower()
        for suffix, fmt in sorted(VECTOR_FORMATS.items(), key=lambda kv: -len(kv[0])):
            if name.endswith(suffix):
                return fmt
        raise DataFileError(
            f"layer {self.name!r}: cannot tell the format of {self.path.name!r} from its suffix",
            hint=f"Add format = one of {sorted(set(VECTOR_FORMATS.values()))}.",
        )


class QAOverride(_Strict):
    """One sensor's changes to its kind's quality-control rules (``qa = { … }``).

    E.g. a gauge that reports every 15 minutes: ``qa = { expected_interval_minutes = 15 }``;
    a temperature sensor on a sunny roof: ``qa = { maximum = 60 }``. Unset keys keep the
    kind's defaults (layers/sensors/qa.py).
    """

    minimum: float | None = None
    maximum: float | None = None
    max_step: float | None = Field(None, gt=0)
    flat_line_hours: float | None = Field(None, gt=0)
    flat_line_above: float | None = None
    expected_interval_minutes: float | None = Field(None, gt=0, le=60 * 24 * 31)
    stale_after: float | None = Field(
        None, gt=0, description="Stale after this many expected intervals without data."
    )

    def overrides(self) -> dict[str, Any]:
        """The set keys, named as :class:`layers.sensors.qa.QARules` names them."""
        values = self.model_dump(exclude_none=True)
        minutes = values.pop("expected_interval_minutes", None)
        if minutes is not None:
            values["expected_interval"] = timedelta(minutes=minutes)
        return values


class SensorConfig(_Strict):
    """A sensor site; the live ingest (SensorThings, MQTT) builds on this."""

    id: str
    name: str
    kind: Literal["soil_moisture", "air_temperature", "water_level", "bicycle_counter", "other"]
    location: tuple[float, float] = Field(description="x, y in the municipality's CRS (metres).")
    unit: str
    classification: Classification = Classification.PUBLIC
    reference: bool = Field(False, description="A rural reference station (heat-island model).")
    feature: str | None = Field(
        None,
        description="Linked twin feature: 'layer/id', or 'layer/nearest' for the feature of "
        "that layer nearest to the sensor (within link_distance).",
    )
    link_distance: float = Field(25.0, gt=0, le=1000, description="Metres for 'layer/nearest'.")
    history: Path | None = Field(None, description="CSV of past observations: time,value.")
    device: str | None = Field(
        None, description="LoRaWAN device id or DevEUI whose uplinks feed this sensor."
    )
    profile: (
        Literal["soil_moisture", "air_temperature", "water_level", "counter", "json"] | None
    ) = Field(None, description="Payload decoder when the network server does not decode.")
    field: str | None = Field(
        None, description="Decoded payload field with this sensor's value (default by kind)."
    )
    qa: QAOverride | None = Field(None, description="Changes to the kind's QA rules.")

    @model_validator(mode="after")
    def _qa_rules(self) -> SensorConfig:
        if self.qa is not None:
            from layers.sensors.qa import rules_for_kind

            try:
                rules_for_kind(self.kind, self.qa.overrides())
            except ValidationError as err:
                problems = "; ".join(e["msg"] for e in err.errors())
                raise ValueError(f"qa of sensor {self.id!r}: {problems}") from None
        return self


class AlertRule(_Strict):
    """A condition on sensor values that needs someone's attention, e.g. a thirsty tree.

    The rule fires for a datastream when every observation of the last ``for_hours`` is
    below ``below`` or above ``above`` (and the observations cover that span); the alert
    closes by itself when the latest value is back in range.
    """

    name: LocalText
    kinds: list[
        Literal["soil_moisture", "air_temperature", "water_level", "bicycle_counter", "other"]
    ] = Field(default_factory=list, description="Sensor kinds the rule applies to.")
    sensors: list[str] = Field(default_factory=list, description="Or: these sensor ids.")
    below: float | None = None
    above: float | None = None
    for_hours: float = Field(0.0, ge=0, le=24 * 30)

    @model_validator(mode="after")
    def _one_threshold(self) -> AlertRule:
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of 'below' or 'above'")
        if not self.kinds and not self.sensors:
            raise ValueError("say which sensors the rule watches: 'kinds' or 'sensors'")
        return self


class HarvestSource(_Strict):
    """An existing SensorThings server (e.g. a city's FROST) whose data the twin copies."""

    name: str = Field(description="Short name, part of the harvested sensors' ids.")
    url: str = Field(description="Service root, e.g. https://iot.hamburg.de/v1.1")
    filter: str | None = Field(
        None, description="$filter on Datastreams, e.g. \"substringof('Rad', name)\"."
    )
    classification: Classification = Classification.PUBLIC
    page_size: int = Field(1000, ge=1, le=10_000)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError(f"url {value!r} must start with http:// or https://")
        return value.rstrip("/")


class HeatConfig(_Strict):
    """Settings of the heat-island model (``[heat]``); the defaults follow InVEST's guide.

    ``t_ref`` and ``uhi_max`` are only used when no sensors can calibrate them (see
    ``twin heat run --help``). ``biophysical`` overrides the default surface properties
    of land-cover classes, e.g. ``[heat.biophysical.green] shade = 0.5``.
    """

    cell_size: float = Field(10.0, ge=1.0, le=100.0, description="Grid cell size, m.")
    t_ref: float = Field(25.0, ge=-30, le=50, description="Rural reference temperature, °C.")
    uhi_max: float = Field(3.0, ge=0, le=15, description="Largest heat-island effect, K.")
    green_area_cooling_distance: float = Field(450.0, gt=0, description="m")
    t_air_average_radius: float = Field(500.0, gt=0, description="m")
    cc_method: Literal["factors", "intensity"] = "factors"
    weight_shade: float = Field(0.6, ge=0)
    weight_albedo: float = Field(0.2, ge=0)
    weight_eti: float = Field(0.2, ge=0)
    et0: float = Field(5.0, gt=0, description="Reference evapotranspiration, mm/day.")
    et0_layer: str | None = Field(
        None,
        description="Raster layer of the twin with reference evapotranspiration (mm); "
        "used instead of `et0` where it has data.",
    )
    biophysical: dict[str, dict[str, float]] = Field(default_factory=dict)
    dask_scheduler: str | None = Field(
        None, description="Address of a Dask scheduler for large grids, e.g. tcp://host:8786."
    )


class Target(_Strict):
    """A municipal target for one indicator: ``good`` and ``bad`` thresholds.

    A value at least as good as ``good`` is green, at least as bad as ``bad`` red, and
    amber between; which way is better follows from ``good`` < ``bad`` or the reverse.
    """

    good: float
    bad: float

    @model_validator(mode="after")
    def _distinct(self) -> Target:
        if self.good == self.bad:
            raise ValueError("good and bad must differ")
        return self


class LandUseConfig(_Strict):
    """Settings of the land-use indicators (``[landuse]``).

    ``factors`` overrides conversion factors of ``scenarios/conversion.py``, e.g.
    ``[landuse.factors] living_space_per_person = 44.0``; ``targets`` sets traffic
    lights, e.g. ``[landuse.targets.green_per_resident_m2] good = 20, bad = 6``.
    """

    population: int | None = Field(
        None, gt=0, description="Official residents; default: residents from floor area."
    )
    green_classes: list[str] = Field(
        default_factory=lambda: ["green", "forest"],
        description="Land-use classes that count as public green space.",
    )
    green_min_area_ha: float = Field(1.0, gt=0, description="Smallest green space that counts.")
    green_distance_m: float = Field(300.0, gt=0, le=5000, description="Walking reach to green, m.")
    settlement_gap_m: float = Field(
        100.0,
        ge=0,
        le=1000,
        description="Gaps in the settlement body narrower than this are inside it.",
    )
    factors: dict[str, float | dict[str, float]] = Field(default_factory=dict)
    targets: dict[str, Target] = Field(default_factory=dict)


class UserConfig(_Strict):
    """A named user and their role in this municipality."""

    name: str
    role: Role
    email: str = ""


class OidcConfig(_Strict):
    """Bearer tokens from the municipality's identity provider (OpenID Connect).

    A JWT is accepted when its signature checks against the issuer's published keys
    (``jwks_url``), ``iss`` and ``aud`` match and it has not expired. Its role comes from
    the ``role_claim`` (a dotted path, e.g. ``realm_access.roles`` in Keycloak) through
    ``roles``; a token with none of the mapped values is refused.
    """

    issuer: str
    audience: str
    jwks_url: str = Field(description="The issuer's JSON Web Key Set, e.g. …/certs.")
    roles: dict[str, Role] = Field(
        description="Claim value → role, e.g. {planning = 'administration'}."
    )
    role_claim: str = "roles"
    name_claim: str = "preferred_username"
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])


class ContributionCategory(_Strict):
    """A category of citizens' contributions, e.g. ``green`` labelled Grün / Green."""

    id: str = Field(description="Lower-case letters, digits, '_' or '-', e.g. 'green'.")
    label: LocalText

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return identifier(value, what="category id", longest=40, example="green")


def _default_categories() -> list[ContributionCategory]:
    labels = [
        ("green", "Grün", "Green"),
        ("mobility", "Verkehr", "Mobility"),
        ("housing", "Wohnen", "Housing"),
        ("climate", "Klima", "Climate"),
        ("other", "Sonstiges", "Other"),
    ]
    return [ContributionCategory(id=i, label=LocalText(de=de, en=en)) for i, de, en in labels]


class ParticipationEvent(_Strict):
    """An on-site participation event, e.g. a workshop with a touch table."""

    id: str = Field(description="Short id that touch tables send with their contributions.")
    title: LocalText
    start: datetime.date | None = None
    end: datetime.date | None = None
    place: str = ""

    @model_validator(mode="after")
    def _dates(self) -> ParticipationEvent:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"event {self.id!r} ends ({self.end}) before it starts ({self.start})")
        return self


class ParticipationConfig(_Strict):
    """Citizens' contributions (``[participation]``): their categories and on-site events.

    Without the section, the categories are Grün, Verkehr, Wohnen, Klima and Sonstiges
    (green, mobility, housing, climate, other) and there are no events.
    """

    categories: list[ContributionCategory] = Field(
        default_factory=_default_categories, min_length=1
    )
    events: list[ParticipationEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ParticipationConfig:
        for kind, ids in (
            ("category", [c.id for c in self.categories]),
            ("event", [e.id for e in self.events]),
        ):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{kind} id(s) {', '.join(twice)} used twice; ids must be unique")
        return self

    def category(self, category_id: str) -> ContributionCategory | None:
        """The category with this id, or None."""
        return next((c for c in self.categories if c.id == category_id), None)

    def event(self, event_id: str) -> ParticipationEvent | None:
        """The event with this id, or None."""
        return next((e for e in self.events if e.id == event_id), None)


class MunicipalityConfig(_Strict):
    """The whole description of one municipality."""

    name: str
    slug: str
    ags: str = Field(description="Amtlicher Gemeindeschlüssel, 8 digits.")
    crs: str = Field(description="Projected metric CRS, e.g. 'EPSG:25832' (UTM 32N).")
    boundary: Path
    demo: bool = Field(False, description="True for fictional demo municipalities.")
    description: LocalText | None = None
    attribution: str = ""
    layers: list[LayerConfig] = Field(default_factory=list)
    sensors: list[SensorConfig] = Field(default_factory=list)
    users: list[UserConfig] = Field(default_factory=list)
    oidc: OidcConfig | None = None
    alerts: list[AlertRule] = Field(default_factory=list)
    harvest: list[HarvestSource] = Field(default_factory=list)
    heat: HeatConfig = Field(default_factory=HeatConfig)
    landuse: LandUseConfig = Field(default_factory=LandUseConfig)
    participation: ParticipationConfig = Field(default_factory=ParticipationConfig)
    sharing: list[str] = Field(default_factory=list, description="Slugs allowed to read this twin.")

    _config_dir: Path = PrivateAttr(default=Path("."))

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_PATTERN.fullmatch(value):
            raise ValueError(
                f"slug {value!r} must be 2-40 lower-case letters, digits or '-', starting with "
                "a letter (it becomes part of every URL, e.g. 'weisendorf')"
            )
        return value

    @field_validator("ags")
    @classmethod
    def _ags(cls, value: str) -> str:
        if not re.fullmatch(r"\d{8}", value):
            raise ValueError(
                f"AGS {value!r} must be exactly 8 digits (Land, Regierungsbezirk, Kreis, "
                "Gemeinde), e.g. '09572159'; write it as a quoted string to keep leading zeros"
            )
        return value

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str) -> str:
        from layers.crs import require_metric_crs

        try:
            return require_metric_crs(value).to_string()
        except CRSError as err:
            raise ValueError(str(err)) from None

    @field_validator("layers")
    @classmethod
    def _unique_layers(cls, value: list[LayerConfig]) -> list[LayerConfig]:
        seen: set[str] = set()
        for layer in value:
            if layer.name in seen:
                raise ValueError(f"layer name {layer.name!r} is used twice; names must be unique")
            seen.add(layer.name)
        return value

    @property
    def config_dir(self) -> Path:
        """Folder that relative data paths are resolved against."""
        return self._config_dir

    def resolve(self, path: Path) -> Path:
        """Return ``path`` resolved against the config file's folder."""
        return path if path.is_absolute() else (self._config_dir / path).resolve()

    def layer(self, name: str) -> LayerConfig:
        """Return the layer config called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        from twin.errors import UnknownLayerError

        raise UnknownLayerError(
            f"municipality {self.slug!r} has no layer {name!r}",
            hint=f"Known layers: {', '.join(lay.name for lay in self.layers) or 'none'}.",
        )

    def to_toml_dict(self) -> dict[str, Any]:
        """Plain dict for writing back to TOML, with every data path made absolute."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["boundary"] = str(self.resolve(self.boundary))
        for layer in data["layers"]:
            layer["path"] = str(self.resolve(Path(layer["path"])))
        for sensor in data["sensors"]:
            if "history" in sensor:
                sensor["history"] = str(self.resolve(Path(sensor["history"])))
        return data


def _location(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a key path like ``layers[2].classification``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


_PYDANTIC_HINTS = {
    "missing": "add this key",
    "extra_forbidden": "remove it or check its spelling",
}


def _describe(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("enum", "literal_error"):
        message = f"{message} (got {error.get('input')!r})"
    hint = _PYDANTIC_HINTS.get(error["type"])
    return f"{_location(error['loc'])}: {message}" + (f"; {hint}" if hint else "")


def _file_problems(config: MunicipalityConfig) -> list[str]:
    problems = []
    checks: list[tuple[str, Path | None]] = [("boundary", config.boundary)]
    checks += [(f"layers[{i}].path", lay.path) for i, lay in enumerate(config.layers)]
    checks += [(f"sensors[{i}].history", s.history) for i, s in enumerate(config.sensors)]
    for key, path in checks:
        if path is not None and not config.resolve(path).exists():
            problems.append(
                f"{key}: file {str(config.resolve(path))!r} does not exist; "
                f"paths are relative to {str(config.config_dir)!r}"
            )
    for i, layer in enumerate(config.layers):
        try:
            layer.file_format  # noqa: B018 - raises when the format cannot be told
        except DataFileError as err:
            problems.append(f"layers[{i}].format: {err}")
    return problems


def parse_config(
    data: dict[str, Any], *, config_dir: Path, source: str, check_files: bool = True
) -> MunicipalityConfig:
    """Validate a config given as a dict; raise :class:`ConfigError` listing every problem.

    ``check_files=False`` skips the check that data files exist: serving an imported twin
    does not need its source files any more.
    """
    try:
        config = MunicipalityConfig.model_validate(data)
    except ValidationError as err:
        problems = [_describe(e) for e in err.errors()]
        raise ConfigError(
            f"{source}: {len(problems)} problem(s) in the municipality config",
            problems=problems,
            hint="Fix them and run `twin config validate` again.",
        ) from None
    config._config_dir = config_dir.resolve()
    problems = _file_problems(config) if check_files else []
    if problems:
        raise ConfigError(
            f"{source}: {len(problems)} problem(s) in the municipality config",
            problems=problems,
            hint="Fix them and run `twin config validate` again.",
        )
    return config


def load_config(path: Path, *, check_files: bool = True) -> MunicipalityConfig:
    """Read and check a municipality TOML file (and, by default, that its data files exist).

    Raises
    ------
    ConfigError
        With every problem found, each prefixed by its key path.
    """
    if not path.exists():
        raise ConfigError(
            f"config file {str(path)!r} does not exist",
            hint="Give the path of a municipality TOML file, e.g. "
            "sample_data/musterstadt/musterstadt.toml.",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            f"{path}: not valid TOML ({err})",
            hint="Check quotes, brackets and '=' signs at the position given.",
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file", hint="Save it as UTF-8.") from None
    return parse_config(data, config_dir=path.parent, source=str(path), check_files=check_files)
