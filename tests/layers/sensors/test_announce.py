"""Observations stored by the live ingest and by CSV imports are announced over MQTT.

The commands run as they would in production (`twin sensors ingest`, `twin sensors
import-csv`, in processes of their own, links from ``TWIN_PUBLIC_URL``) against a
Mosquitto of this module's own, so that nothing else announces on its topics.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from layers.sensors.publish import observation_json, sta_url
from tests.conftest import make_town
from tests.layers.sensors.test_mqtt_ingest import free_port, own_broker, publish, tts
from tests.viewer.sensorthings.test_write import Subscriber
from twin.workspace import Workspace
from viewer.app import create_app

PUBLIC_URL = "https://twin.example.org/"
SLUG = "ansage"
TWIN = str(Path(sys.executable).parent / "twin")
SENSORS = """
[[sensors]]
id = "M1"
name = "Baum am Markt"
kind = "soil_moisture"
location = [600100.0, 5500100.0]
unit = "%"
device = "baum-1"
profile = "soil_moisture"

[[sensors]]
id = "H1"
name = "Privatgarten"
kind = "soil_moisture"
location = [600200.0, 5500200.0]
unit = "%"
classification = "council"
device = "garten-1"
profile = "soil_moisture"
"""


@pytest.fixture(scope="module")
def broker() -> Iterator[int]:
    """A Mosquitto of this module's own."""
    with own_broker("announce-broker-") as port:
        yield port


@pytest.fixture
def town(tmp_path: Path) -> tuple[Workspace, dict[str, str]]:
    """A municipality with a public and a council sensor, set up by the CLI; its environment."""
    config = make_town(tmp_path)
    text = config.read_text(encoding="utf-8").replace('slug = "testort"', f'slug = "{SLUG}"')
    config.write_text(text + SENSORS, encoding="utf-8")
    env = {**os.environ, "TWIN_WORKSPACE": str(tmp_path / "ws"), "TWIN_PUBLIC_URL": PUBLIC_URL}
    for args in (["init", str(config)], ["import", SLUG]):
        done = subprocess.run([TWIN, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return Workspace(tmp_path / "ws"), env


def streams(workspace: Workspace) -> dict[str, int]:
    return {record.key: record.id for record in workspace.store(SLUG).datastreams()}


def settled(subscriber: Subscriber, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The messages once ``count`` have come and a second passed without more."""
    subscriber.wait_for(count)
    time.sleep(1.0)
    return subscriber.messages


def uplink(device: str, moisture: int, when: str) -> tuple[str, bytes]:
    return f"{device}/up", tts(device, moisture.to_bytes(2, "big") + b"\x09\x60", when)


def ingest(env: dict[str, str], port: int, seconds: float) -> str:
    """Run `twin sensors ingest` for ``seconds``; what it printed."""
    command = [TWIN, "sensors", "ingest", SLUG, "--port", str(port), "--seconds", str(seconds)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_ingest_announces_what_it_stored_once_and_not_back_to_itself(
    town: tuple[Workspace, dict[str, str]], broker: int
) -> None:
    workspace, env = town
    ids = streams(workspace)
    subscriber = Subscriber(broker, "v1.1/+/Observations", "v1.1/Observations")
    try:
        ingest(env, broker, 2)  # its persistent session: the broker keeps what comes meanwhile
        public = [uplink("baum-1", 250 + i, f"2025-07-01T0{i}:00:00Z") for i in range(3)]
        hidden = [uplink("garten-1", 300 + i, f"2025-07-01T0{i}:00:00Z") for i in range(2)]
        publish("v3/app/devices/", public + hidden, port=broker)
        first = ingest(env, broker, 4)
        publish("v3/app/devices/", public[:1], port=broker)  # the network server sends it again
        again = ingest(env, broker, 3)
        messages = settled(subscriber, 6)
    finally:
        subscriber.close()
    assert "5 new observation(s), 0 duplicate(s), 0 dead letter(s)" in first
    # its announcements of the first run did not come back to it (MQTT v5 No Local)
    assert "0 new observation(s), 1 duplicate(s), 0 dead letter(s)" in again
    store = workspace.store(SLUG)
    stored = store.observations(ids["M1"])
    assert len(stored) == 3 and len(store.observations(ids["H1"])) == 2
    topic = f"v1.1/Datastreams({ids['M1']})/Observations"
    assert {t for t, _ in messages} == {"v1.1/Observations", topic}
    by_topic = [body for t, body in messages if t == topic]
    assert [body for t, body in messages if t == "v1.1/Observations"] == by_topic
    assert [o["@iot.id"] for o in by_topic] == stored["id"].tolist()
    assert [o["result"] for o in by_topic] == [25.0, 25.1, 25.2]
    base = f"https://twin.example.org/{SLUG}/sta/v1.1"
    assert [o["@iot.selfLink"] for o in by_topic] == [
        f"{base}/Observations({i})" for i in stored["id"]
    ]


def import_csv(env: dict[str, str], sensor: str, path: Path, port: int) -> str:
    done = subprocess.run(
        [TWIN, "sensors", "import-csv", SLUG, sensor, str(path), "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_a_csv_import_announces_its_new_public_rows_once(
    town: tuple[Workspace, dict[str, str]], broker: int, tmp_path: Path
) -> None:
    workspace, env = town
    ids = streams(workspace)
    logger = tmp_path / "logger.csv"
    logger.write_text("time,value\n2025-07-02T00:00:00Z,31.5\n2025-07-02T01:00:00Z,30.25\n")
    subscriber = Subscriber(broker, "v1.1/Observations")
    try:
        assert "2 new observation(s)" in import_csv(env, "M1", logger, broker)
        first = settled(subscriber, 2)[:]
        assert "0 new observation(s), 2 already stored" in import_csv(env, "M1", logger, broker)
        assert "2 new observation(s)" in import_csv(env, "H1", logger, broker)  # council only
        again = settled(subscriber, 2)
    finally:
        subscriber.close()
    assert again == first
    stored = workspace.store(SLUG).observations(ids["M1"])
    assert [(b["@iot.id"], b["result"]) for _, b in first] == list(
        zip(stored["id"], stored["result"], strict=True)
    )
    assert first[0][1]["@iot.selfLink"].startswith(f"https://twin.example.org/{SLUG}/sta/v1.1/")


def test_a_csv_import_without_broker_warns_and_stores(
    town: tuple[Workspace, dict[str, str]], tmp_path: Path
) -> None:
    workspace, env = town
    logger = tmp_path / "logger.csv"
    logger.write_text("time,value\n2025-07-03T00:00:00Z,29.0\n")
    output = import_csv(env, "M1", logger, free_port())
    assert "1 new observation(s)" in output
    warning = "1 Observation(s) not published: no connection to the MQTT broker"
    assert warning in " ".join(output.split())  # the log wraps long lines
    assert len(workspace.store(SLUG).observations(streams(workspace)["M1"])) == 1


def test_an_announcement_is_what_the_api_answers(town: tuple[Workspace, dict[str, str]]) -> None:
    """Announcements are built from the stored row; they must equal the API's JSON."""
    workspace, _ = town
    store = workspace.store(SLUG)
    frame = pd.DataFrame({"phenomenon_time": ["2025-07-04T12:00:00+02:00"], "result": [27]})
    _, (stored,) = store.insert_observations(streams(workspace)["M1"], frame, actor="pytest")
    base = sta_url("http://testserver", SLUG)
    api = TestClient(create_app(workspace)).get(f"/{SLUG}/sta/v1.1/Observations({stored.id})")
    assert api.status_code == 200
    assert list(observation_json(base, stored).items()) == list(api.json().items())
