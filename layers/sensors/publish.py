"""Tell MQTT subscribers about new Observations (OGC 18-088, 14.2: receive updates via MQTT).

Each newly stored Observation is published, as the JSON the REST API returns for it, on
the standard topics ``v1.1/Datastreams(ID)/Observations`` and ``v1.1/Observations`` with
QoS 1, to the broker the live ingest uses (:class:`~layers.sensors.mqtt.MqttIngest`,
127.0.0.1:1883 by default). Dashboards and other twins then get new values without
polling.

Publishing is a notification, not part of the write: the Observation is stored before it
is published, and when the broker is away the write still succeeds and the missed
messages are logged (subscribers can catch up through the REST API). The client keeps
one connection for the server's lifetime and reconnects by itself.

A ``twin sensors ingest`` on the same broker subscribes to ``v1.1/+/Observations`` for
MQTT creates and so receives these messages too; they are duplicates of stored
Observations, which the store's idempotent observations absorb.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterable
from typing import Any, Final

import paho.mqtt.client as mqtt

logger = logging.getLogger(__name__)

TOPICS: Final = ("v1.1/Datastreams({datastream})/Observations", "v1.1/Observations")


class ObservationPublisher:
    """One MQTT connection that publishes Observations on their SensorThings topics."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 1883, *, connect_timeout: float = 2.0
    ) -> None:
        self.host, self.port = host, port
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"twin-sta-{uuid.uuid4().hex[:12]}"
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        connected = threading.Event()
        self.client.on_connect = lambda *_args: connected.set()
        self.client.connect_async(host, port, keepalive=30)
        self.client.loop_start()
        # wait once, so that the first Observations of a fresh server are not missed
        if not connected.wait(connect_timeout):
            logger.warning("no MQTT broker at %s:%s yet; will keep trying", host, port)

    def publish(self, observations: Iterable[tuple[int, dict[str, Any]]]) -> int:
        """Publish ``(datastream id, Observation JSON)`` pairs; return how many went out.

        Messages that cannot be handed to the broker are counted and logged, not raised:
        the Observations are stored already.
        """
        pending = list(observations)
        if not pending:
            return 0
        if not self.client.is_connected():
            logger.warning(
                "%d Observation(s) not published: no connection to the MQTT broker at %s:%s",
                len(pending),
                self.host,
                self.port,
            )
            return 0
        sent = failed = 0
        for datastream, observation in pending:
            payload = json.dumps(observation, ensure_ascii=False)
            codes = [
                self.client.publish(topic.format(datastream=datastream), payload, qos=1).rc
                for topic in TOPICS
            ]
            if all(code == mqtt.MQTT_ERR_SUCCESS for code in codes):
                sent += 1
            else:
                failed += 1
        if failed:
            logger.warning("%d Observation(s) could not be published over MQTT", failed)
        return sent

    def close(self) -> None:
        """Stop the network thread and disconnect."""
        self.client.disconnect()
        self.client.loop_stop()
