"""MQTT end to end through Mosquitto: sustained rate, loss and duplicates.

Target from the sensor-feeds issue: ≥ 2,000 observations/s sustained for 60 s with zero
loss and zero duplicates. A publisher sends LoRaWAN uplinks (The Things Stack v3 JSON,
profile-decoded soil-moisture payloads) for ``--devices`` devices at ``--rate`` messages/s
for ``--seconds`` with QoS 1; :class:`~layers.sensors.mqtt.MqttIngest` stores them in the
embedded store and announces what it stored on the SensorThings topics. Afterwards the
store is counted: every published observation must be there exactly once. A subscriber
(``--listen``, the default) counts the announcements on ``v1.1/Observations``: every
stored observation must be announced exactly once.

The publisher and the subscriber run in processes of their own, as a network server and
a dashboard would: in the ingest's process they would compete with it for one GIL.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import tempfile
import threading
import time
import uuid
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

import paho.mqtt.client as mqtt
import pandas as pd

from layers.sensors.mqtt import DeviceRoute, MqttIngest, Router
from layers.sensors.publish import sta_url
from sample_data import get_path
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite, TwinStore
from twin.workspace import Workspace

SPAWN = multiprocessing.get_context("spawn")


def uplink(device: str, value: int, when: str) -> bytes:
    payload = value.to_bytes(2, "big") + (2000).to_bytes(2, "big")
    return json.dumps(
        {
            "end_device_ids": {"device_id": device},
            "uplink_message": {
                "frm_payload": base64.b64encode(payload).decode(),
                "received_at": when,
            },
        }
    ).encode()


def generate(app: str, rate: int, seconds: int, devices: int, times: Connection) -> None:
    """Publish the uplinks at ``rate`` per second; send the start and end times (monotonic)."""
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{app}")
    publisher.max_inflight_messages_set(1000)
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()
    total = rate * seconds
    start = time.monotonic()
    times.send(start)
    base = pd.Timestamp("2025-01-01T00:00:00Z")
    for n in range(total):
        device = n % devices
        when = (base + pd.Timedelta(seconds=n // devices)).strftime("%Y-%m-%dT%H:%M:%SZ")
        publisher.publish(
            f"v3/{app}/devices/dev-{device}/up", uplink(f"dev-{device}", n % 600, when), qos=1
        )
        ahead = (n + 1) / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    times.send(time.monotonic())
    publisher.loop_stop()
    publisher.disconnect()


def listen(marker: bytes, ready: Event, stop: Event, answer: Connection) -> None:
    """Count the announcements, and the distinct ones, until ``stop``.

    Only payloads with ``marker`` (the bench's public URL) count: the broker is shared.
    """
    received, ids = 0, set()

    def on_message(_client: object, _userdata: object, message: mqtt.MQTTMessage) -> None:
        nonlocal received
        if marker in message.payload:
            received += 1
            ids.add(json.loads(message.payload)["@iot.id"])

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = on_message
    client.on_subscribe = lambda *_args: ready.set()
    client.connect("127.0.0.1", 1883)
    client.subscribe("v1.1/Observations", qos=1)
    client.loop_start()
    stop.wait()
    client.loop_stop()
    client.disconnect()
    answer.send((received, len(ids)))


def bench_store(folder: Path, devices: int) -> tuple[TwinStore, dict[str, list[DeviceRoute]]]:
    """Musterstadt with one soil-moisture datastream per device, and the devices' routes."""
    store = init_municipality(
        load_config(get_path("musterstadt")), Workspace(folder), actor="bench"
    )
    routes = {}
    for i in range(devices):
        ds = store.register_sensor(
            SensorSite(f"D{i}", f"Baum {i}", "soil_moisture", 640000.0, 5497000.0, "%"),
            actor="bench",
        )
        routes[f"dev-{i}"] = [DeviceRoute(ds, "soil_moisture", "soil_moisture")]
    return store, routes


def count_announcements(marker: bytes) -> tuple[Event, Connection]:
    """Start the subscriber; the event that stops it and where its counts arrive."""
    ready, done = SPAWN.Event(), SPAWN.Event()
    answer, sender = SPAWN.Pipe(duplex=False)
    SPAWN.Process(target=listen, args=(marker, ready, done, sender)).start()
    if not ready.wait(30):
        raise SystemExit("the subscriber could not subscribe")
    return done, answer


def main() -> None:
    """Run the publisher and the ingest, then count."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=2000, help="messages per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument(
        "--listen",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="count the announcements with a subscriber",
    )
    args = parser.parse_args()
    app = f"bench-{uuid.uuid4().hex[:6]}"
    public_url = f"http://{app}.invalid"
    listener = count_announcements(public_url.encode()) if args.listen else None
    with tempfile.TemporaryDirectory() as tmp:
        store, routes = bench_store(Path(tmp), args.devices)
        worker = MqttIngest(
            store,
            Router(routes, [r[0].datastream_id for r in routes.values()]),
            client_id=f"ingest-{app}",
            topics=[f"v3/{app}/devices/+/up"],
            batch_size=2000,
            sta_url=sta_url(public_url, store.municipality().slug),
        )
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, kwargs={"stop": stop})
        thread.start()
        worker.subscribed.wait(30)
        times, sender = SPAWN.Pipe(duplex=False)
        feed = (app, args.rate, args.seconds, args.devices, sender)
        SPAWN.Process(target=generate, args=feed).start()
        start = times.recv()
        total = args.rate * args.seconds
        deadline = time.monotonic() + args.seconds + 120
        while worker.totals.new + worker.totals.duplicate < total and time.monotonic() < deadline:
            time.sleep(0.1)
        drained = time.monotonic() - start
        published = times.recv() - start
        stop.set()
        thread.join()  # the ingest's announcements have reached the broker by now
        stored = sum(r.observations for r in store.datastreams())
    print(
        f"MQTT end to end: {total:,} uplinks published in {published:.1f} s "
        f"({total / published:,.0f}/s), all stored after {drained:.1f} s "
        f"({total / drained:,.0f}/s sustained); stored {stored:,}, lost {total - stored:,}, "
        f"duplicates {worker.totals.duplicate:,}, dead letters {worker.dead:,}"
    )
    if listener is not None:
        done, answer = listener
        time.sleep(1.0)  # the broker's last deliveries to the subscriber
        done.set()
        received, distinct = answer.recv()
        print(
            f"announced on v1.1/Observations: {distinct:,} of {stored:,} stored "
            f"(missing {stored - distinct:,}, repeated {received - distinct:,})"
        )


if __name__ == "__main__":
    main()
