"""A realistic live feed for demonstrations: LoRaWAN uplinks of the configured devices.

Publishes The Things Stack v3 uplinks for every ``[[sensors]]`` entry with a ``device``
and ``profile``, on a compressed clock (``speed`` simulated seconds per real second):
diurnal air temperature with an urban heat island, tree pits drying out, a river gauge,
bicycle counts with commute peaks. To show quality control and dead letters it also
sends what real networks send: one device stuck on the same value, and now and then a
malformed message.
"""

from __future__ import annotations

import base64
import json
import math
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import paho.mqtt.client as mqtt

from layers.sensors.lorawan import encode_payload
from twin.config import MunicipalityConfig, SensorConfig
from twin.store.base import TwinStore

TOPIC = "v3/{slug}@twin/devices/{device}/up"


@dataclass
class _Device:
    sensor: SensorConfig
    state: float
    stuck: bool = False
    sent: int = field(default=0)


def _value(device: _Device, when: datetime, rng: np.random.Generator) -> dict[str, float]:
    """The next reading of a device at simulated time ``when``."""
    hour = when.hour + when.minute / 60
    kind = device.sensor.kind
    if kind == "air_temperature":
        island = (
            0.0
            if device.sensor.reference
            else 3.0 * max(0.0, math.cos((hour - 2) / 24 * 2 * math.pi))
        )
        value = 22 + 7 * math.sin((hour - 9) / 24 * 2 * math.pi) + island + rng.normal(0, 0.2)
        return {
            "air_temperature": value,
            "humidity": 55 - 15 * math.sin((hour - 9) / 24 * 2 * math.pi),
        }
    if kind == "soil_moisture":
        device.state = max(8.0, device.state - 0.05 - rng.uniform(0, 0.03))
        return {
            "soil_moisture": device.state,
            "soil_temperature": 18 + 4 * math.sin((hour - 12) / 24 * 2 * math.pi),
        }
    if kind == "water_level":
        return {"water_level": 80 + 5 * math.sin(hour / 24 * 2 * math.pi) + rng.normal(0, 0.5)}
    peaks = 55 * math.exp(-(((hour - 7.5) / 1.0) ** 2)) + 48 * math.exp(
        -(((hour - 16.5) / 1.3) ** 2)
    )
    return {"count": float(rng.poisson(peaks + 5))}


def uplink(device: str, payload: bytes, when: datetime) -> bytes:
    """A The Things Stack v3 uplink message."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "end_device_ids": {"device_id": device, "application_ids": {"application_id": "twin"}},
            "received_at": stamp,
            "uplink_message": {
                "f_port": 2,
                "frm_payload": base64.b64encode(payload).decode(),
                "received_at": stamp,
            },
        }
    ).encode()


def simulate(
    config: MunicipalityConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    seconds: float = 60.0,
    speed: float = 900.0,
    interval_minutes: float = 15.0,
    malformed_every: int = 40,
    seed: int = 1,
    stop: threading.Event | None = None,
) -> dict[str, int]:
    """Publish uplinks for ``seconds`` of real time (or until ``stop``); return the counts."""
    rng = np.random.default_rng(seed)
    devices = [
        _Device(s, state=float(rng.uniform(20, 30)))
        for s in config.sensors
        if s.device is not None and s.profile is not None
    ]
    if not devices:
        return {"uplinks": 0, "malformed": 0, "devices": 0}
    devices[0].stuck = True  # a stuck sensor for quality control to find
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"twin-simulator-{config.slug}"
    )
    client.connect(host, port)
    client.loop_start()
    clock = datetime.now(UTC).replace(second=0, microsecond=0)
    step = timedelta(minutes=interval_minutes)
    sent = malformed = 0
    pending: list[mqtt.MQTTMessageInfo] = []
    stuck_value: dict[str, float] | None = None
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end and not (stop is not None and stop.is_set()):
            for device in devices:
                assert device.sensor.device is not None and device.sensor.profile is not None
                values = _value(device, clock, rng)
                if device.stuck:
                    stuck_value = stuck_value or values
                    values = stuck_value
                topic = TOPIC.format(slug=config.slug, device=device.sensor.device)
                if malformed_every and (sent + 1) % malformed_every == 0:
                    client.publish(
                        topic,
                        b'{"end_device_ids": {"device_id": "' + device.sensor.device.encode(),
                        qos=1,
                    )
                    malformed += 1
                else:
                    payload = encode_payload(device.sensor.profile, values)
                    pending.append(
                        client.publish(topic, uplink(device.sensor.device, payload, clock), qos=1)
                    )
                sent += 1
            clock += step
            pause = step.total_seconds() / speed
            if stop is None:
                time.sleep(pause)
            else:
                stop.wait(pause)
        for info in pending:  # QoS 1: do not stop before the broker has everything
            info.wait_for_publish(timeout=10)
    finally:
        client.loop_stop()
        client.disconnect()
    return {"uplinks": sent, "malformed": malformed, "devices": len(devices)}


def start_live_demo(
    config: MunicipalityConfig,
    store: TwinStore,
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
) -> threading.Event | None:
    """Feed the demo twin live: the simulator publishes, the ingest stores, both in threads.

    Devices report once a minute on the real clock, so live values and their times are
    plausible on the map (the compressed clock of ``twin sensors simulate`` would run
    ahead of real time).

    Returns the event that stops both, or ``None`` when no MQTT broker answers at
    ``host:port`` (the demo then runs without live data rather than not at all).
    """
    from layers.sensors.mqtt import MqttIngest
    from layers.sensors.publish import sta_url
    from twin.sensors import after_batch, live_router
    from twin.settings import get_settings

    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return None
    stop = threading.Event()
    ingest = MqttIngest(
        store,
        live_router(config, store),
        host=host,
        port=port,
        client_id=f"twin-demo-ingest-{config.slug}",
        on_batch=lambda ids: after_batch(config, store, ids, actor="demo-feed"),
        sta_url=sta_url(get_settings().public_url, config.slug),
    )
    threading.Thread(target=ingest.run, kwargs={"stop": stop}, daemon=True).start()
    ingest.subscribed.wait(timeout=10)  # a first reading published earlier would be lost

    feed = {
        "host": host,
        "port": port,
        "seconds": math.inf,
        "speed": 1.0,
        "interval_minutes": 1.0,
        "stop": stop,
    }
    threading.Thread(target=simulate, args=(config,), kwargs=feed, daemon=True).start()
    return stop
