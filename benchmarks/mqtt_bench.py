"""MQTT end to end through Mosquitto: sustained rate, loss and duplicates.

Target from the sensor-feeds issue: ≥ 2,000 observations/s sustained for 60 s with zero
loss and zero duplicates. A publisher sends LoRaWAN uplinks (The Things Stack v3 JSON,
profile-decoded soil-moisture payloads) for ``--devices`` devices at ``--rate`` messages/s
for ``--seconds`` with QoS 1; :class:`~layers.sensors.mqtt.MqttIngest` stores them in the
embedded store. Afterwards the store is counted: every published observation must be
there exactly once.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pandas as pd

from layers.sensors.mqtt import DeviceRoute, MqttIngest, Router
from sample_data import get_path
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite
from twin.workspace import Workspace


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


def main() -> None:
    """Run the publisher and the ingest, then count."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=2000, help="messages per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--devices", type=int, default=200)
    args = parser.parse_args()
    app = f"bench-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        store = init_municipality(
            load_config(get_path("musterstadt")), Workspace(Path(tmp)), actor="bench"
        )
        routes = {}
        for i in range(args.devices):
            ds = store.register_sensor(
                SensorSite(f"D{i}", f"Baum {i}", "soil_moisture", 640000.0, 5497000.0, "%"),
                actor="bench",
            )
            routes[f"dev-{i}"] = [DeviceRoute(ds, "soil_moisture", "soil_moisture")]
        worker = MqttIngest(
            store,
            Router(routes, [r[0].datastream_id for r in routes.values()]),
            client_id=f"ingest-{app}",
            topics=[f"v3/{app}/devices/+/up"],
            batch_size=2000,
        )
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, kwargs={"stop": stop})
        thread.start()
        while not worker.client.is_connected():
            time.sleep(0.05)
        time.sleep(0.5)
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{app}")
        publisher.max_inflight_messages_set(1000)
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        total = args.rate * args.seconds
        start = time.perf_counter()
        base = pd.Timestamp("2025-01-01T00:00:00Z")
        for n in range(total):
            device = n % args.devices
            when = (base + pd.Timedelta(seconds=n // args.devices)).strftime("%Y-%m-%dT%H:%M:%SZ")
            publisher.publish(
                f"v3/{app}/devices/dev-{device}/up", uplink(f"dev-{device}", n % 600, when), qos=1
            )
            ahead = (n + 1) / args.rate - (time.perf_counter() - start)
            if ahead > 0:
                time.sleep(ahead)
        published = time.perf_counter() - start
        deadline = time.monotonic() + 120
        while worker.totals.new + worker.totals.duplicate < total and time.monotonic() < deadline:
            time.sleep(0.1)
        drained = time.perf_counter() - start
        stop.set()
        thread.join()
        publisher.loop_stop()
        publisher.disconnect()
        stored = sum(r.observations for r in store.datastreams())
    print(
        f"MQTT end to end: {total:,} uplinks published in {published:.1f} s "
        f"({total / published:,.0f}/s), all stored after {drained:.1f} s "
        f"({total / drained:,.0f}/s sustained); stored {stored:,}, lost {total - stored:,}, "
        f"duplicates {worker.totals.duplicate:,}, dead letters {worker.dead:,}"
    )


if __name__ == "__main__":
    main()
