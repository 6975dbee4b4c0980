from datetime import timedelta
from pathlib import Path

import pytest
import tomli_w

from sample_data import get_path
from twin.config import Classification, load_config
from twin.errors import ConfigError

GOOD = {
    "name": "Weisendorf",
    "slug": "weisendorf",
    "ags": "09572159",
    "crs": "EPSG:25832",
    "boundary": "boundary.geojson",
    "layers": [
        {
            "name": "trees",
            "title": {"de": "Bäume", "en": "Trees"},
            "kind": "trees",
            "path": "trees.gpkg",
            "classification": "public",
            "owner": "Bauamt",
            "licence": "CC0-1.0",
            "source": "Baumkataster",
        }
    ],
}


def write(
    tmp_path: Path, data: dict, touch: tuple[str, ...] = ("boundary.geojson", "trees.gpkg")
) -> Path:
    for name in touch:
        (tmp_path / name).write_text("{}")
    path = tmp_path / "m.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def test_good_config_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.slug == "weisendorf"
    assert config.crs == "EPSG:25832"
    assert config.resolve(config.layers[0].path) == (tmp_path / "trees.gpkg").resolve()
    assert config.layers[0].classification is Classification.PUBLIC
    assert config.layers[0].file_format == "gpkg"


def test_sample_config_is_valid() -> None:
    config = load_config(get_path("musterstadt"))
    assert config.demo
    assert {layer.name for layer in config.layers} >= {"buildings", "landuse", "trees"}


def test_every_problem_is_listed_at_once_with_key_path(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "ags": "9572159",
        "crs": "EPSG:4326",
        "slug": "Weisendorf!",
        "layers": [
            {**GOOD["layers"][0], "classification": "secret"},
            {**GOOD["layers"][0], "name": "trees2", "kind": "forest"},
        ],
    }
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, bad))
    problems = info.value.problems
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert any(p.startswith("ags:") and "8 digits" in p for p in problems)
    assert any(
        p.startswith("crs:") and "not a projected metric CRS" in p and "25832" in p
        for p in problems
    )
    assert any(p.startswith("slug:") for p in problems)
    assert any(p.startswith("layers[0].classification:") and "'secret'" in p for p in problems)
    assert any(p.startswith("layers[1].kind:") and "'forest'" in p for p in problems)


def test_missing_files_and_keys_are_reported(tmp_path: Path) -> None:
    data = {k: v for k, v in GOOD.items() if k != "name"}
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, data, touch=()))
    assert info.value.problems == ["name: Field required; add this key"]
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, GOOD, touch=("trees.gpkg",)))
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("boundary: file ")
    assert "does not exist" in info.value.problems[0]


def test_unknown_key_and_duplicate_layer_names(tmp_path: Path) -> None:
    data = {**GOOD, "nmae": "typo", "layers": [GOOD["layers"][0], GOOD["layers"][0]]}
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, data))
    text = "\n".join(info.value.problems)
    assert "nmae: Extra inputs are not permitted; remove it or check its spelling" in text
    assert "used twice" in text


def test_toml_syntax_error_names_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('name = "x\nslug = 1\n')
    with pytest.raises(ConfigError, match=r"not valid TOML .*line 1"):
        load_config(path)


def test_compound_and_25833_crs_accepted(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, {**GOOD, "crs": "EPSG:25833"})).crs == "EPSG:25833"
    config = load_config(
        write(tmp_path, {**GOOD, "crs": "urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH"})
    )
    assert config.crs == "EPSG:25832"


def test_per_sensor_qa_overrides_are_checked_against_the_kind(tmp_path: Path) -> None:
    sensor = {
        "id": "P1",
        "name": "Pegel",
        "kind": "water_level",
        "location": [0.0, 0.0],
        "unit": "cm",
        "qa": {"expected_interval_minutes": 15, "maximum": 900},
    }
    config = load_config(write(tmp_path, {**GOOD, "sensors": [sensor]}))
    overrides = config.sensors[0].qa.overrides()  # type: ignore[union-attr]
    assert overrides == {"maximum": 900.0, "expected_interval": timedelta(minutes=15)}
    broken = {**sensor, "qa": {"minimum": 1000}}  # above the kind's maximum
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, {**GOOD, "sensors": [broken]}))
    assert any(
        p.startswith("sensors[0]") and "qa of sensor 'P1'" in p and "below maximum" in p
        for p in info.value.problems
    ), info.value.problems
