"""Live observations from an MQTT broker: LoRaWAN uplinks and SensorThings-style messages.

:class:`Router` turns one MQTT message into observations or a dead letter (pure, testable
without a broker). :class:`MqttIngest` subscribes with QoS 1 in a persistent session and
acknowledges each message only after its batch is committed to the store
(``manual_ack``), so delivery is at-least-once across crashes and broker restarts, and the
store's idempotent observations make re-deliveries harmless. Unusable messages are stored
as dead letters with the reason and the raw payload, never dropped. Given the
SensorThings service URL, it then announces the public observations the batch stored on
the standard topics (:mod:`layers.sensors.publish`), through its own connection, which
MQTT v5 "No Local" subscriptions keep from delivering them back to it.

Topics:

- ``v3/+/devices/+/up`` (The Things Stack v3) and ``application/+/device/+/event/up``
  (ChirpStack v4): uplinks of configured devices (``[[sensors]] device``);
- ``v1.1/Datastreams(ID)/Observations``: SensorThings MQTT create, payload
  ``{"phenomenonTime": …, "result": …}``.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import paho.mqtt.client as mqtt
import pandas as pd
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from layers.sensors.lorawan import UplinkError, decode_payload, parse_uplink
from layers.sensors.publish import Announcer, public_messages
from twin.store.base import DeadLetter, InsertCount, TwinStore

logger = logging.getLogger(__name__)

TOPICS = ("v3/+/devices/+/up", "application/+/device/+/event/up", "v1.1/+/Observations")
STA_TOPIC = re.compile(r"^v1\.1/Datastreams\((\d+)\)/Observations$")
DEFAULT_FIELD = {
    "air_temperature": "air_temperature",
    "soil_moisture": "soil_moisture",
    "water_level": "water_level",
    "bicycle_counter": "count",
}


SESSION_EXPIRY: Final = 0xFFFFFFFF
"""Never: MQTT v5 ends a session at disconnect unless told otherwise (v3.1.1 kept it)."""
RECEIVE_MAXIMUM: Final = 65_535
"""Unacknowledged messages the broker may send ahead (MQTT v5's largest value).

The ingest acknowledges a whole batch after its commit; the broker's own default
(Mosquitto: 20) would leave the rest of a burst waiting in its queue, which drops
messages past ``max_queued_messages``.
"""


def _session() -> Properties:
    """CONNECT properties of the ingest's persistent session."""
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY
    properties.ReceiveMaximum = RECEIVE_MAXIMUM
    return properties


@dataclass(frozen=True)
class DeviceRoute:
    """Where one decoded field of one device goes."""

    datastream_id: int
    profile: str | None
    field: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Router:
    """Decide what an MQTT message means: observations, or a dead letter with the reason."""

    def __init__(self, devices: dict[str, list[DeviceRoute]], datastreams: Iterable[int]) -> None:
        self.devices = {key.lower(): routes for key, routes in devices.items()}
        self.datastreams = set(datastreams)

    def route(
        self, topic: str, payload: bytes
    ) -> tuple[list[tuple[int, str, object]], DeadLetter | None]:
        """Return ``[(datastream_id, phenomenon_time, result), …]`` or a dead letter."""
        try:
            if topic.startswith("v1.1/"):
                return self._sensorthings(topic, payload), None
            return self._uplink(payload), None
        except UplinkError as err:
            return [], DeadLetter(_now(), topic, payload, str(err))

    def _sensorthings(self, topic: str, payload: bytes) -> list[tuple[int, str, object]]:
        match = STA_TOPIC.match(topic)
        if not match:
            raise UplinkError("SensorThings topic must be v1.1/Datastreams(ID)/Observations")
        datastream = int(match.group(1))
        if datastream not in self.datastreams:
            raise UplinkError(f"unknown Datastream({datastream})")
        try:
            body = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise UplinkError(f"not JSON: {err}") from None
        if not isinstance(body, dict) or "result" not in body:
            raise UplinkError("Observation without 'result'")
        when = body.get("phenomenonTime") or _now()
        if not isinstance(when, str) or pd.isna(pd.to_datetime(when, utc=True, errors="coerce")):
            raise UplinkError(f"phenomenonTime {when!r} is not an ISO 8601 time")
        result = body["result"]
        if isinstance(result, bool) or not isinstance(result, int | float | str | dict | list):
            raise UplinkError(f"result {result!r} has an unsupported type")
        return [(datastream, when, result)]

    def _uplink(self, payload: bytes) -> list[tuple[int, str, object]]:
        uplink = parse_uplink(payload)
        routes = self.devices.get(uplink.device.lower()) or self.devices.get(uplink.dev_eui)
        if not routes:
            raise UplinkError(f"unknown device {uplink.device or uplink.dev_eui!r}")
        when = uplink.received_at or _now()
        out: list[tuple[int, str, object]] = []
        for route in routes:
            values = uplink.decoded
            if values is None:
                if route.profile is None:
                    raise UplinkError(
                        "payload not decoded by the network server and no profile configured"
                    )
                values = decode_payload(route.profile, uplink.payload)
            value = values.get(route.field)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise UplinkError(f"decoded payload has no number in field {route.field!r}")
            out.append((route.datastream_id, when, float(value)))
        return out


class MqttIngest:
    """Subscribe to a broker and store what arrives, in acknowledged batches."""

    def __init__(
        self,
        store: TwinStore,
        router: Router,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str,
        actor: str = "mqtt-ingest",
        batch_size: int = 1000,
        flush_seconds: float = 0.2,
        topics: Iterable[str] = TOPICS,
        on_batch: Callable[[set[int]], object] | None = None,
        sta_url: str | None = None,
    ) -> None:
        self.store, self.router, self.actor = store, router, actor
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.topics = list(topics)
        self.on_batch = on_batch  # e.g. alert evaluation for the datastreams that got data
        #: SensorThings service root for the links of announced observations; None: none
        self.sta_url = sta_url
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.totals = InsertCount(0, 0)
        self.dead = 0
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        self.announcer = Announcer(self.client)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda _c, _u, message: self.inbox.put(message)
        #: set once the broker has confirmed the subscriptions: from then on nothing is missed
        self.subscribed = threading.Event()
        self.client.on_subscribe = lambda *_args: self.subscribed.set()
        self.host, self.port = host, port

    def _on_connect(
        self, client: mqtt.Client, _userdata: object, _flags: object, reason: object, _props: object
    ) -> None:
        logger.info("connected to %s:%s (%s)", self.host, self.port, reason)
        # No Local: what the ingest announces on a topic it also reads never comes back
        options = SubscribeOptions(qos=1, noLocal=True)
        client.subscribe([(topic, options) for topic in self.topics])

    def flush(self) -> int:
        """Store what is waiting (one transaction) and acknowledge it; return messages handled."""
        messages: list[mqtt.MQTTMessage] = []
        while len(messages) < self.batch_size:
            try:
                messages.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        if not messages:
            return 0
        rows, dead = [], []
        for message in messages:
            routed, letter = self.router.route(message.topic, bytes(message.payload))
            rows += routed
            if letter is not None:
                dead.append(letter)
        frame = pd.DataFrame(rows, columns=["datastream_id", "phenomenon_time", "result"])
        count, stored = self.store.ingest(frame, dead, actor=self.actor)
        self.totals = InsertCount(
            self.totals.new + count.new, self.totals.duplicate + count.duplicate
        )
        self.dead += len(dead)
        for message in messages:
            self.client.ack(message.mid, message.qos)
        if self.sta_url is not None:  # after the acks: announcing only queues, never blocks
            self.announcer.publish(public_messages(self.sta_url, stored))
        if self.on_batch is not None and count.new:
            self.on_batch({row[0] for row in rows})
        return len(messages)

    def run(self, *, stop: threading.Event, connect_timeout: float = 10.0) -> None:
        """Ingest until ``stop`` is set; reconnects by itself when the broker goes away."""
        self.client.connect_async(
            self.host, self.port, keepalive=30, clean_start=False, properties=_session()
        )
        self.client.loop_start()
        deadline = time.monotonic() + connect_timeout
        try:
            while not stop.is_set():
                # a batch that is not full: let the next one gather (the broker sends
                # ahead, RECEIVE_MAXIMUM) rather than pay a transaction for a handful, and
                # leave the network thread the GIL to keep announcements flowing
                if self.flush() < self.batch_size:
                    if not self.client.is_connected() and time.monotonic() > deadline:
                        logger.warning("no broker at %s:%s yet; retrying", self.host, self.port)
                        deadline = time.monotonic() + connect_timeout
                    stop.wait(self.flush_seconds)
            while self.flush():
                pass
            self.announcer.wait(timeout=10.0)  # queued announcements reach the broker
        finally:
            self.client.loop_stop()
            self.client.disconnect()
