"""Alert rules on sensor data: analytic cases and the whole open → acknowledge → close cycle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w

from tests.conftest import make_town
from twin.config import AlertRule, LocalText, load_config
from twin.errors import ConfigError, InvalidRequestError
from twin.fusion import condition_held, evaluate_alerts
from twin.importer import init_municipality
from twin.store.base import SensorSite
from twin.workspace import Workspace

THIRSTY = AlertRule(
    name=LocalText(de="Baum braucht Wasser", en="Tree needs water"),
    kinds=["soil_moisture"],
    below=12.0,
    for_hours=24,
)
HOURS = np.array([np.datetime64("2025-07-01T00:00") + np.timedelta64(h, "h") for h in range(48)])


def test_condition_must_hold_for_the_whole_span() -> None:
    dry_since_10 = np.where(np.arange(48) >= 10, 11.0, 20.0)  # dry for 37 h at the end
    assert condition_held(THIRSTY, HOURS, dry_since_10)
    rain_at_30 = dry_since_10.copy()
    rain_at_30[30] = 15.0  # dry again since hour 31: only 16 h
    assert not condition_held(THIRSTY, HOURS, rain_at_30)
    assert not condition_held(THIRSTY, HOURS, np.full(48, 20.0))
    hot = AlertRule(name=LocalText(de="Hitze"), kinds=["air_temperature"], above=30.0)
    assert condition_held(
        hot, HOURS[:1], np.array([30.5])
    )  # for_hours = 0: the newest value decides
    assert not condition_held(hot, HOURS[:1], np.array([30.0]))


def test_rules_are_validated_in_the_config(tmp_path: Path) -> None:
    path = make_town(tmp_path)
    data = load_config(path).model_dump(mode="json", exclude_none=True)
    data["alerts"] = [
        {"name": {"de": "x"}, "kinds": ["soil_moisture"], "below": 1, "above": 2},
        {"name": {"de": "y"}, "below": 1},
    ]
    path.write_text(tomli_w.dumps(data))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = "\n".join(info.value.problems)
    assert "alerts[0]: give exactly one of 'below' or 'above'" in text
    assert "alerts[1]: say which sensors the rule watches" in text


def test_open_acknowledge_and_close_cycle(tmp_path: Path) -> None:
    config = load_config(make_town(tmp_path)).model_copy(update={"alerts": [THIRSTY]})
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    tree = store.register_sensor(
        SensorSite("M1", "Baum 42", "soil_moisture", 600100.0, 5500100.0, "%"), actor="pytest"
    )
    other = store.register_sensor(
        SensorSite("T1", "Luft", "air_temperature", 600200.0, 5500200.0, "°C"), actor="pytest"
    )
    times = pd.date_range("2025-07-01", periods=48, freq="h", tz="UTC")
    store.add_observations(
        tree, pd.DataFrame({"phenomenon_time": times[:20], "result": 20.0}), actor="pytest"
    )
    store.add_observations(
        other, pd.DataFrame({"phenomenon_time": times, "result": 5.0}), actor="pytest"
    )
    assert evaluate_alerts(config, store).opened == []  # moist: nothing
    store.add_observations(
        tree, pd.DataFrame({"phenomenon_time": times[20:], "result": 10.0}), actor="pytest"
    )
    assert len(evaluate_alerts(config, store).opened) == 1  # dry from hour 20 to 47: 27 h ≥ 24 h
    changes = evaluate_alerts(config, store)
    assert (
        changes.opened == [] and len(store.alerts(active_only=True)) == 1
    )  # opened once, not twice
    (alert,) = store.alerts()
    assert (alert.datastream_id, alert.state, alert.value) == (tree, "open", 10.0)
    assert "Baum braucht Wasser / Tree needs water: " in alert.message and "< 12.0" in alert.message
    store.change_alert(
        alert.id, "acknowledged", actor="gruenflaechenamt", note="Wässerung bestellt"
    )
    with pytest.raises(InvalidRequestError, match="cannot become acknowledged"):
        store.change_alert(alert.id, "acknowledged", actor="x")
    later = pd.date_range("2025-07-03", periods=2, freq="h", tz="UTC")
    store.add_observations(
        tree, pd.DataFrame({"phenomenon_time": later, "result": 25.0}), actor="pytest"
    )
    assert evaluate_alerts(config, store, datastreams={tree}).closed == [alert.id]
    history = store.alert_history(alert.id)
    assert [(e.state, e.actor) for e in history] == [
        ("open", "system"),
        ("acknowledged", "gruenflaechenamt"),
        ("closed", "system"),
    ]
    with pytest.raises(InvalidRequestError, match="is closed"):
        store.change_alert(alert.id, "closed", actor="x")


def test_live_layer_has_the_newest_public_values_and_is_served(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from twin.fusion import LIVE_LAYER, refresh_live_layer
    from viewer.app import create_app

    config = load_config(make_town(tmp_path))
    workspace = Workspace(tmp_path / "ws")
    store = init_municipality(config, workspace, actor="pytest")
    gauge = store.register_sensor(
        SensorSite("W1", "Pegel", "water_level", 600100.0, 5500100.0, "cm"), actor="pytest"
    )
    private = store.register_sensor(
        SensorSite(
            "P1", "Privat", "soil_moisture", 600200.0, 5500200.0, "%", classification="internal"
        ),
        actor="pytest",
    )
    times = pd.date_range("2025-07-01", periods=3, freq="h", tz="UTC")
    store.add_observations(
        gauge,
        pd.DataFrame({"phenomenon_time": times, "result": [80.0, 81.0, 82.5]}),
        actor="pytest",
    )
    store.add_observations(
        private, pd.DataFrame({"phenomenon_time": times, "result": 1.0}), actor="pytest"
    )
    assert refresh_live_layer(store, actor="pytest") == 1
    frame = store.read_features(LIVE_LAYER).frame
    assert list(frame["feature_id"]) == ["W1"] and frame["value"].iloc[0] == 82.5
    client = TestClient(create_app(workspace))
    items = client.get(
        f"/testort/ogc/collections/{LIVE_LAYER}/items",
        params={"datetime": "2025-07-01T02:00:00Z/.."},
    ).json()
    (feature,) = items["features"]
    assert (
        feature["properties"]["time"] == "2025-07-01T02:00:00Z"
        and feature["properties"]["unit"] == "cm"
    )
