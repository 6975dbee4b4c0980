"""LoRaWAN and SensorThings messages through a real Mosquitto broker into the store."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
import pandas as pd
import pytest

from layers.sensors.lorawan import decode_payload, parse_uplink
from layers.sensors.mqtt import DeviceRoute, MqttIngest, Router
from tests.conftest import make_town
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite, TwinStore
from twin.workspace import Workspace

BROKER = ("127.0.0.1", 1883)


def tts(device: str, payload: bytes, when: str, decoded: dict | None = None) -> bytes:
    up: dict = {"f_port": 2, "frm_payload": base64.b64encode(payload).decode(), "received_at": when}
    if decoded is not None:
        up["decoded_payload"] = decoded
    return json.dumps(
        {
            "end_device_ids": {"device_id": device, "dev_eui": "70B3D57ED0000001"},
            "uplink_message": up,
        }
    ).encode()


def chirpstack(dev_eui: str, payload: bytes, when: str) -> bytes:
    return json.dumps(
        {
            "deduplicationId": str(uuid.uuid4()),
            "time": when,
            "deviceInfo": {"devEui": dev_eui, "deviceName": "pegel-1"},
            "fPort": 1,
            "data": base64.b64encode(payload).decode(),
        }
    ).encode()


ROUTER = Router(
    {
        "baum-42": [DeviceRoute(1, "soil_moisture", "soil_moisture")],
        "a84041000181c2f3": [DeviceRoute(2, "water_level", "water_level")],
    },
    datastreams=[1, 2],
)


def test_the_things_stack_uplink_is_decoded_by_profile() -> None:
    rows, dead = ROUTER.route(
        "v3/app@ttn/devices/baum-42/up",
        tts("baum-42", bytes.fromhex("011d0960"), "2025-07-01T10:00:00Z"),
    )
    assert dead is None and rows == [(1, "2025-07-01T10:00:00Z", 28.5)]


def test_network_server_decoding_wins_and_chirpstack_by_dev_eui() -> None:
    rows, _ = ROUTER.route(
        "v3/x/devices/baum-42/up",
        tts("baum-42", b"", "2025-07-01T10:00:00Z", {"soil_moisture": 31.2}),
    )
    assert rows == [(1, "2025-07-01T10:00:00Z", 31.2)]
    rows, dead = ROUTER.route(
        "application/7/device/a84041000181c2f3/event/up",
        chirpstack("A84041000181C2F3", bytes.fromhex("00c8"), "2025-07-01T11:00:00Z"),
    )
    assert dead is None and rows == [(2, "2025-07-01T11:00:00Z", 200.0)]


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("v3/x/devices/baum-42/up", b"{not json", "not JSON"),
        ("v3/x/devices/baum-42/up", b"[1, 2]", "not an object"),
        (
            "v3/x/devices/gone/up",
            tts("gone", b"\x01\x02\x03\x04", "2025-07-01T10:00:00Z"),
            "unknown device 'gone'",
        ),
        ("v3/x/devices/baum-42/up", tts("baum-42", b"\x01", "2025-07-01T10:00:00Z"), "too short"),
        (
            "v3/x/devices/baum-42/up",
            json.dumps(
                {
                    "end_device_ids": {"device_id": "baum-42"},
                    "uplink_message": {"frm_payload": "!!"},
                }
            ).encode(),
            "not valid base64",
        ),
        ("v1.1/Datastreams(9)/Observations", b'{"result": 1}', "unknown Datastream(9)"),
        (
            "v1.1/Datastreams(1)/Observations",
            b'{"phenomenonTime": "gestern", "result": 1}',
            "not an ISO 8601 time",
        ),
        (
            "v1.1/Datastreams(1)/Observations",
            b'{"phenomenonTime": "2025-07-01T10:00:00Z"}',
            "without 'result'",
        ),
        ("v1.1/Datastreams(1)/Observations", b'{"result": true}', "unsupported type"),
        ("v1.1/Things(1)/Observations", b'{"result": 1}', "v1.1/Datastreams(ID)/Observations"),
    ],
)
def test_unusable_messages_become_dead_letters_with_a_reason(
    topic: str, payload: bytes, reason: str
) -> None:
    rows, dead = ROUTER.route(topic, payload)
    assert rows == [] and dead is not None
    assert reason in dead.reason and dead.payload == payload and dead.topic == topic


def test_decoders_match_their_byte_layouts() -> None:
    assert decode_payload("air_temperature", bytes.fromhex("f9a250")) == {
        "air_temperature": -16.3,
        "humidity": 80.0,
    }
    assert decode_payload("counter", bytes.fromhex("0102")) == {"count": 258.0}
    assert decode_payload("json", b'{"count": 3}') == {"count": 3}
    assert parse_uplink(chirpstack("AB", b"", "t")).dev_eui == "ab"


# --- through the real broker -------------------------------------------------------------


def broker_running() -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(BROKER) == 0


@pytest.fixture
def store(tmp_path: Path) -> TwinStore:
    if not broker_running():
        pytest.fail("Mosquitto is not running on 127.0.0.1:1883 (make test starts it)")
    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    store.register_sensor(
        SensorSite("M1", "Baum 42", "soil_moisture", 600100.0, 5500100.0, "%"), actor="pytest"
    )
    return store


def publish(topic_prefix: str, messages: list[tuple[str, bytes]], port: int = BROKER[1]) -> None:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4()}")
    client.connect(BROKER[0], port)
    client.loop_start()
    infos = [
        client.publish(f"{topic_prefix}{topic}", payload, qos=1) for topic, payload in messages
    ]
    for info in infos:
        info.wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


def run_until(worker: MqttIngest, done: Callable[[], bool], timeout: float = 20.0) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)


def test_end_to_end_with_duplicates_and_garbage(store: TwinStore) -> None:
    app = f"test-{uuid.uuid4().hex[:8]}"
    router = Router({"baum-42": [DeviceRoute(1, "soil_moisture", "soil_moisture")]}, [1])
    worker = MqttIngest(store, router, client_id=f"ingest-{app}", topics=[f"v3/{app}/devices/+/up"])
    times = [f"2025-07-01T{h:02d}:{m:02d}:00Z" for h in range(10) for m in range(0, 60, 3)]  # 200
    good = [
        ("baum-42/up", tts("baum-42", (300 + i).to_bytes(2, "big") + b"\x09\x60", t))
        for i, t in enumerate(times)
    ]
    bad = [("baum-42/up", b"{broken"), ("nobody/up", tts("nobody", b"\x00\x00\x00\x00", times[0]))]
    # start the subscriber first so that its persistent session exists
    run_until(worker, lambda: worker.client.is_connected(), timeout=10)
    publish(f"v3/{app}/devices/", good + good[:50] + bad)  # 50 re-deliveries
    worker2 = MqttIngest(
        store, router, client_id=f"ingest-{app}", topics=[f"v3/{app}/devices/+/up"]
    )
    run_until(worker2, lambda: worker2.totals.new + worker2.totals.duplicate + worker2.dead >= 252)
    assert (worker2.totals.new, worker2.totals.duplicate, worker2.dead) == (200, 50, 2)
    stored = store.observations(1)
    assert len(stored) == 200
    assert stored["result"].tolist() == [(300 + i) / 10 for i in range(200)]
    letters = store.dead_letters()
    assert {d.reason.split(":")[0] for d in letters} == {"not JSON", "unknown device 'nobody'"}


def test_simulated_demo_feed_reaches_the_twin(tmp_path: Path) -> None:
    """`twin sensors simulate` + ingest on the sample town: values, a stuck device, dead letters."""
    from sample_data import get_path
    from twin.sensors import live_router, register_sensor
    from twin.simulate import simulate

    if not broker_running():
        pytest.fail("Mosquitto is not running on 127.0.0.1:1883 (make test starts it)")
    config = load_config(get_path("musterstadt"))
    config = config.model_copy(update={"slug": f"sim{uuid.uuid4().hex[:8]}"})
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    for sensor in config.sensors:
        register_sensor(config, store, sensor.model_copy(update={"history": None}), actor="pytest")
    worker = MqttIngest(
        store,
        live_router(config, store),
        client_id=f"ingest-{config.slug}",
        topics=[f"v3/{config.slug}@twin/devices/+/up"],
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    while not worker.client.is_connected():
        time.sleep(0.05)
    time.sleep(0.3)
    counts = simulate(config, seconds=2.0, speed=90_000.0, malformed_every=25)
    deadline = time.monotonic() + 15
    while worker.totals.new + worker.dead < counts["uplinks"] and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert counts["devices"] == len(config.sensors) == 15
    assert worker.dead == counts["malformed"] > 0
    assert worker.totals.new == counts["uplinks"] - counts["malformed"]
    stuck = store.observations(1)["result"]  # T01 is the first device: stuck on one value
    assert len(stuck) > 5 and stuck.nunique() == 1
    others = store.observations(2)["result"]
    assert others.nunique() > 5 and others.between(10, 40).all()
    assert all("not JSON" in d.reason for d in store.dead_letters())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_broker(data: Path, port: int, extra: str = "") -> subprocess.Popen[bytes]:
    """A Mosquitto of the test's own, persisting its sessions in ``data``, so that it can be restarted.

    Started as root, Mosquitto drops to its own user, which cannot enter pytest's private
    tmp folders: ``data`` is a world-writable folder of its own.
    """
    data.chmod(0o777)
    conf = data / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {data}/\n{extra}"
    )
    broker = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return broker
        time.sleep(0.05)
    broker.kill()
    pytest.fail("test broker did not start")


@contextmanager
def own_broker(prefix: str) -> Iterator[int]:
    """A Mosquitto of the caller's own on a free port (yielded), in a new folder ``prefix*``."""
    port, data = free_port(), Path(tempfile.mkdtemp(prefix=prefix))
    process = start_broker(data, port)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def test_broker_restart_mid_stream_loses_nothing(store: TwinStore) -> None:
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="twin-broker-"))
    broker = start_broker(data, port)
    router = Router({"baum-42": [DeviceRoute(1, "soil_moisture", "soil_moisture")]}, [1])
    worker = MqttIngest(
        store, router, port=port, client_id="ingest-restart", topics=["v3/+/devices/+/up"]
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, kwargs={"stop": stop}, daemon=True)
    thread.start()

    def messages(start: int, n: int) -> list[tuple[str, bytes]]:
        return [
            (
                "baum-42/up",
                tts(
                    "baum-42",
                    (200 + i).to_bytes(2, "big") + b"\x09\x60",
                    f"2025-07-02T00:00:{i % 60:02d}.{i:03d}Z",
                ),
            )
            for i in range(start, start + n)
        ]

    def publish_to(port_: int, items: list[tuple[str, bytes]]) -> None:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4()}")
        client.connect("127.0.0.1", port_)
        client.loop_start()
        for info in [client.publish(f"v3/app/devices/{t}", p, qos=1) for t, p in items]:
            info.wait_for_publish(timeout=10)
        client.loop_stop()
        client.disconnect()

    try:
        while not worker.client.is_connected():
            time.sleep(0.05)
        time.sleep(0.3)
        publish_to(port, messages(0, 100))
        deadline = time.monotonic() + 15
        while worker.totals.new < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        broker.terminate()  # the broker goes down mid-stream (and saves its sessions)
        broker.wait(timeout=10)
        broker = start_broker(data, port)
        publish_to(port, messages(100, 100))  # queued for the ingest's persistent session
        deadline = time.monotonic() + 30
        while worker.totals.new < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
        broker.terminate()
        broker.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    assert worker.totals.new == 200
    assert len(store.observations(1)) == 200


def test_ingest_killed_mid_stream_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    """`twin sensors ingest` is SIGKILLed while messages flow; the restart delivers the rest."""
    import os
    import signal
    import sys

    if not broker_running():
        pytest.fail("Mosquitto is not running on 127.0.0.1:1883 (make test starts it)")
    device = f"baum-{uuid.uuid4().hex[:8]}"
    config_path = make_town(tmp_path)
    config_path.write_text(
        config_path.read_text()
        + f'\n[[sensors]]\nid = "M1"\nname = "Baum"\nkind = "soil_moisture"\nlocation = [600100.0, 5500100.0]\n'
        f'unit = "%"\ndevice = "{device}"\nprofile = "soil_moisture"\n',
        encoding="utf-8",
    )
    slug = f"kill{uuid.uuid4().hex[:6]}"
    config_path.write_text(
        config_path.read_text().replace('slug = "testort"', f'slug = "{slug}"'), encoding="utf-8"
    )
    twin = str(Path(sys.executable).parent / "twin")
    env = {**os.environ, "TWIN_WORKSPACE": str(tmp_path / "ws")}
    for args in (["init", str(config_path)], ["import", slug]):
        assert subprocess.run([twin, *args], env=env, capture_output=True).returncode == 0
    times = pd.date_range("2025-07-01", periods=3000, freq="min", tz="UTC").strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    items = [
        (f"{device}/up", tts(device, (100 + i % 200).to_bytes(2, "big") + b"\x09\x60", t))
        for i, t in enumerate(times)
    ]
    # a broker of our own: Mosquitto keeps at most 1,000 messages for an offline client by
    # default (max_queued_messages); a production broker for the ingest needs a larger queue
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="twin-broker-"))
    broker = start_broker(data, port, "max_queued_messages 100000\n")
    port_args = ["--port", str(port)]
    first = subprocess.Popen(
        [twin, "sensors", "ingest", slug, "--seconds", "60", *port_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Workspace(tmp_path / "ws").store(slug)
    time.sleep(2.0)  # connected and subscribed (persistent session)
    publisher = threading.Thread(
        target=publish, args=("v3/app/devices/", items), kwargs={"port": port}
    )
    publisher.start()
    deadline = time.monotonic() + 30
    while store.datastreams()[0].observations < 500 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)  # killed mid-stream, probably mid-batch
    first.wait()
    publisher.join()
    stored_at_kill = store.datastreams()[0].observations
    assert 0 < stored_at_kill < 3000
    try:
        second = subprocess.run(
            [twin, "sensors", "ingest", slug, "--seconds", "8", *port_args],
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        broker.terminate()
        broker.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    assert second.returncode == 0, second.stderr
    observations = store.observations(1)
    assert len(observations) == 3000  # nothing lost …
    assert observations["phenomenon_time"].is_unique  # … and nothing twice
