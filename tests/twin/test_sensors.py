"""Sensor sites and observations in the embedded store: idempotent, atomic, checked."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import hamburg_file, make_town
from twin.config import load_config
from twin.errors import DataFileError, InvalidRequestError, UnknownFeatureError
from twin.importer import init_municipality
from twin.sensors import import_csv, register_sensor, sensor_health
from twin.store.base import SensorSite, TwinStore
from twin.workspace import Workspace

TWIN = str(Path(sys.executable).parent / "twin")
SITE = SensorSite("T01", "Lufttemperatur Markt", "air_temperature", 600500.0, 5500500.0, "°C")


@pytest.fixture
def store(tmp_path: Path) -> TwinStore:
    config = load_config(make_town(tmp_path))
    return init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")


def obs(times: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"phenomenon_time": times, "result": values})


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_registration_is_idempotent_and_keeps_location(store: TwinStore) -> None:
    first = store.register_sensor(SITE, actor="pytest")
    again = store.register_sensor(SITE, actor="pytest")
    assert first == again
    (record,) = store.datastreams()
    assert (record.key, record.kind, record.unit, record.observations) == (
        "T01",
        "air_temperature",
        "°C",
        0,
    )


def test_observations_are_idempotent_and_ordered(store: TwinStore) -> None:
    ds = store.register_sensor(SITE, actor="pytest")
    times = ["2025-07-01T02:00:00Z", "2025-07-01T00:00:00Z", "2025-07-01T01:00:00+02:00"]
    assert store.add_observations(ds, obs(times, [18.0, 20.5, 19.0]), actor="pytest") == (3, 0)
    # re-delivery of one old and one new observation; a changed result at the same time is new
    again = obs(
        ["2025-07-01T00:00:00Z", "2025-07-01T03:00:00Z", "2025-07-01T00:00:00Z"], [20.5, 17.0, 20.6]
    )
    assert store.add_observations(ds, again, actor="pytest") == (2, 1)
    stored = store.observations(ds)
    assert stored["phenomenon_time"].is_monotonic_increasing
    assert stored["phenomenon_time"].iloc[0] == pd.Timestamp("2025-06-30T23:00:00Z")  # +02:00 → UTC
    assert len(stored) == 5
    record = store.datastreams()[0]
    assert (record.first, record.last) == ("2025-06-30T23:00:00Z", "2025-07-01T03:00:00Z")


def test_bad_batch_writes_nothing(store: TwinStore, tmp_path: Path) -> None:
    ds = store.register_sensor(SITE, actor="pytest")
    store.add_observations(ds, obs(["2025-07-01T00:00:00Z"], [20.0]), actor="pytest")
    before = dump(tmp_path / "ws" / "testort" / "twin.gpkg")
    with pytest.raises(
        InvalidRequestError, match=r"1 observation\(s\) have no readable phenomenon time"
    ):
        store.add_observations(
            ds, obs(["2025-07-01T01:00:00Z", "yesterday"], [1.0, 2.0]), actor="pytest"
        )
    with pytest.raises(UnknownFeatureError, match=r"Datastream\(99\)"):
        store.add_observations(99, obs(["2025-07-01T01:00:00Z"], [1.0]), actor="pytest")
    assert dump(tmp_path / "ws" / "testort" / "twin.gpkg") == before


def test_csv_import_units_and_errors(store: TwinStore, tmp_path: Path) -> None:
    store.register_sensor(SITE, actor="pytest")
    kelvin = tmp_path / "kelvin.csv"
    kelvin.write_text("zeit;wert\n2025-07-01T00:00:00Z;293,15\n2025-07-01T01:00:00Z;294,15\n")
    count = import_csv(
        store, "T01", kelvin, actor="pytest", unit="K", time_column="zeit", value_column="wert"
    )
    assert count == (2, 0)
    assert store.observations(1)["result"].tolist() == pytest.approx([20.0, 21.0])
    with pytest.raises(
        DataFileError, match=r"values are in 'mbar' but the datastream expects '°C'"
    ):
        import_csv(
            store,
            "T01",
            kelvin,
            actor="pytest",
            unit="mbar",
            time_column="zeit",
            value_column="wert",
        )
    broken = tmp_path / "broken.csv"
    broken.write_text("time,value\n2025-07-01T00:00:00Z,20\n2025-07-01T01:00:00Z,warm\n")
    with pytest.raises(
        DataFileError, match=r"broken\.csv, line 3: cannot read time .* or value 'warm'"
    ):
        import_csv(store, "T01", broken, actor="pytest")
    with pytest.raises(UnknownFeatureError, match=r"no sensor 'T99' is registered.*T01"):
        import_csv(store, "T99", broken, actor="pytest")


def test_dwd_daily_file_of_hamburg_fuhlsbuettel(store: TwinStore) -> None:
    path = hamburg_file("dwd_produkt_klima_tag_20221124_20240526_01975.txt")
    ds = store.register_sensor(
        SensorSite("DWD1975", "DWD Hamburg-Fuhlsbüttel", "air_temperature", 0, 0, "°C"),
        actor="pytest",
    )
    count = import_csv(store, "DWD1975", path, actor="pytest", dwd_element="TXK")
    # independent read of the file: split lines, skip the header, drop -999
    rows = [line.split(";") for line in path.read_text().splitlines()[1:]]
    header = [c.strip() for c in path.read_text().splitlines()[0].split(";")]
    txk = header.index("TXK")
    expected = {r[1].strip(): float(r[txk]) for r in rows if float(r[txk]) != -999}
    assert count.new == len(expected) == 550
    stored = store.observations(ds).set_index("phenomenon_time")["result"]
    assert stored[pd.Timestamp("2023-06-17T00:00:00Z")] == expected["20230617"]
    assert import_csv(store, "DWD1975", path, actor="pytest", dwd_element="TXK") == (0, 550)


def test_sta_things_export_of_hamburg_bicycle_counters() -> None:
    from pyproj import CRS

    from layers.sensors.csv import read_sta_things

    things = read_sta_things(
        hamburg_file("iot_hamburg_radzaehlnetz_things_locations.csv"), to_crs=CRS.from_epsg(25832)
    )
    assert len(things) == 100 and len({t.iot_id for t in things}) == 100
    assert all(
        550_000 < t.x < 590_000 and 5_920_000 < t.y < 5_960_000 for t in things
    )  # Hamburg in UTM 32
    assert things[0].properties["ownerThing"] == "Freie und Hansestadt Hamburg"


def test_config_sensors_and_history_through_the_cli(tmp_path: Path) -> None:
    config_path = make_town(tmp_path)
    (tmp_path / "t01.csv").write_text(
        "time,value\n2025-07-01T00:00:00Z,21.5\n2025-07-01T01:00:00Z,20.9\n"
    )
    config_path.write_text(
        config_path.read_text()
        + '\n[[sensors]]\nid = "T01"\nname = "Lufttemperatur Markt"\nkind = "air_temperature"\n'
        'location = [600500.0, 5500500.0]\nunit = "°C"\nhistory = "t01.csv"\n',
        encoding="utf-8",
    )
    env = {"TWIN_WORKSPACE": str(tmp_path / "ws"), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    assert (
        subprocess.run([TWIN, "init", str(config_path)], env=env, capture_output=True).returncode
        == 0
    )
    first = subprocess.run([TWIN, "import", "testort"], env=env, capture_output=True, text=True)
    assert "sensor T01 → Datastream(1), 2 new observation(s), 0 already stored" in first.stdout
    again = subprocess.run([TWIN, "import", "testort"], env=env, capture_output=True, text=True)
    assert "0 new observation(s), 2 already stored" in again.stdout
    extra = tmp_path / "more.csv"
    extra.write_text("time,value\n2025-07-01T01:00:00Z,20.9\n2025-07-01T02:00:00Z,20.1\n")
    loaded = subprocess.run(
        [TWIN, "sensors", "import-csv", "testort", "T01", str(extra)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "T01: 1 new observation(s), 1 already stored" in loaded.stdout, loaded.stderr
    listed = subprocess.run(
        [TWIN, "sensors", "list", "testort"], env=env, capture_output=True, text=True
    )
    assert "T01" in listed.stdout and " 3 " in listed.stdout
    missing = subprocess.run(
        [TWIN, "sensors", "import-csv", "testort", "T01", str(tmp_path / "nope.csv")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (
        missing.returncode == 1
        and "Traceback" not in missing.stderr
        and "nope.csv" in missing.stderr
    )


def test_latest_is_the_newest_observation_of_each_datastream(store: TwinStore) -> None:
    first = store.register_sensor(SITE, actor="pytest")
    second = store.register_sensor(
        SensorSite("W1", "Pegel", "water_level", 600200.0, 5500200.0, "cm"), actor="pytest"
    )
    store.register_sensor(
        SensorSite("E1", "Leer", "other", 600300.0, 5500300.0, "-"), actor="pytest"
    )
    store.add_observations(
        first,
        obs(
            ["2025-07-01T02:00:00Z", "2025-07-01T05:00:00Z", "2025-07-01T03:00:00Z"],
            [1.0, 5.0, 3.0],
        ),
        actor="pytest",
    )
    store.add_observations(second, obs(["2025-06-30T23:00:00Z"], [80.0]), actor="pytest")
    latest = store.latest().set_index("key")
    assert list(latest.index) == ["T01", "W1"]  # the datastream without data has no live state
    assert latest.loc["T01", "result"] == 5.0
    assert latest.loc["T01", "phenomenon_time"] == pd.Timestamp("2025-07-01T05:00:00Z")
    assert latest.loc["W1", "result"] == 80.0


def test_quality_flags_are_stored_and_values_kept(store: TwinStore, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    store.register_sensor(SITE, actor="pytest")
    times = pd.date_range("2025-07-01", periods=48, freq="h", tz="UTC")
    values = [20 + 5 * math.sin(i / 24 * 2 * math.pi) for i in range(48)]
    values[30] = 45.0  # a wild value
    path = tmp_path / "t.csv"
    pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values}).to_csv(
        path, index=False
    )
    import_csv(store, "T01", path, actor="pytest")
    stored = store.observations(1)
    assert len(stored) == 48 and stored["result"].iloc[30] == 45.0  # flagged, never removed
    assert (
        stored["quality"].iloc[30] == "spike" and (stored["quality"].drop(index=30) == "ok").all()
    )
    (record, state) = sensor_health(store, now=datetime(2025, 7, 2, 23, tzinfo=UTC))[0]
    assert (record.key, state.status, state.observations) == ("T01", "ok", 48)  # 1 of 48 < 5 %
    later = sensor_health(store, now=datetime(2025, 7, 3, 12, tzinfo=UTC))[0][1]
    assert later.status == "stale"


def test_register_things_of_a_real_sensorthings_export(tmp_path: Path) -> None:
    export = hamburg_file("iot_hamburg_radzaehlnetz_things_locations.csv")
    config_path = make_town(tmp_path)
    env = {"TWIN_WORKSPACE": str(tmp_path / "ws"), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    assert (
        subprocess.run([TWIN, "init", str(config_path)], env=env, capture_output=True).returncode
        == 0
    )
    args = [
        TWIN,
        "sensors",
        "import-things",
        "testort",
        str(export),
        "--kind",
        "bicycle_counter",
        "--unit",
        "1/h",
        "--prefix",
        "hh",
    ]
    first = subprocess.run(args, env=env, capture_output=True, text=True)
    assert "100 Thing(s) registered" in first.stdout, first.stderr
    assert (
        subprocess.run(args, env=env, capture_output=True).returncode == 0
    )  # again: updated, not copied
    store = Workspace(tmp_path / "ws").store("testort")
    records = store.datastreams()
    assert len(records) == 100 and {r.kind for r in records} == {"bicycle_counter"}
    assert "hh:5564" in {r.key for r in records}
    dead = subprocess.run(
        [TWIN, "sensors", "dead-letters", "testort"], env=env, capture_output=True, text=True
    )
    assert "No dead letters." in dead.stdout


def test_sensor_linked_to_the_nearest_feature(tmp_path: Path) -> None:
    from twin.config import SensorConfig
    from twin.errors import LayerValidationError
    from twin.importer import import_layer

    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    import_layer(config, store, config.layer("trees"), actor="pytest")  # T1 at 600100, 5500100
    near = SensorConfig(
        id="M1",
        name="Baumscheibe",
        kind="soil_moisture",
        location=(600103.0, 5500098.0),
        unit="%",
        feature="trees/nearest",
    )
    register_sensor(config, store, near, actor="pytest")
    assert store.datastreams()[0].feature == "trees/T1"
    far = near.model_copy(
        update={"id": "M2", "location": (600500.0, 5500500.0), "link_distance": 10.0}
    )
    with pytest.raises(
        LayerValidationError, match=r"sensor 'M2': no feature of layer 'trees' within 10 m"
    ):
        register_sensor(config, store, far, actor="pytest")
    assert [r.key for r in store.datastreams()] == ["M1"]  # nothing registered for M2


def test_a_sensors_own_qa_rules_flag_and_judge_it(tmp_path: Path) -> None:
    text = make_town(tmp_path).read_text(encoding="utf-8") + (
        '\n[[sensors]]\nid = "T01"\nname = "Dachsensor"\nkind = "air_temperature"\n'
        'location = [600500.0, 5500500.0]\nunit = "°C"\n'
        "qa = { maximum = 60, expected_interval_minutes = 15 }\n"
    )
    (tmp_path / "roof.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "roof.toml")
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    register_sensor(config, store, config.sensors[0], actor="pytest")
    times = pd.date_range("2025-07-01T10:00Z", periods=8, freq="15min")
    path = tmp_path / "roof.csv"
    pd.DataFrame(
        {
            "time": times.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "value": [48.0, 52.0, 55.0, 55.5, 54.0, 53.0, 52.5, 52.0],
        }
    ).to_csv(path, index=False)
    import_csv(store, "T01", path, actor="pytest", config=config)
    assert (store.observations(1)["quality"] == "ok").all()  # 55 °C is plausible on a roof
    import_csv(store, "T01", path, actor="pytest")  # the kind's rules: above 50 °C is wrong
    assert (store.observations(1)["quality"] == "out_of_range").sum() == 7
    # stale after 3 × 15 min with the sensor's own interval, not 3 × 1 h
    now = times[-1].to_pydatetime() + timedelta(hours=1)
    assert sensor_health(store, now=now, config=config)[0][1].status == "stale"
    assert sensor_health(store, now=now)[0][1].status != "stale"
