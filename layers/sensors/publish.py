"""Tell MQTT subscribers about new Observations (OGC 18-088, 14.2: receive updates via MQTT).

Each newly stored public Observation is published, as the JSON the REST API returns for
it, on the standard topics ``v1.1/Datastreams(ID)/Observations`` and ``v1.1/Observations``
with QoS 1, to the broker the live ingest uses (127.0.0.1:1883 by default). Dashboards
and other twins then get new values without polling. Three writers announce what they
store:

- the API's writes (:mod:`viewer.api.sensorthings.write`), through one
  :class:`ObservationPublisher` per server, with links from the request's URL;
- the live ingest (:class:`~layers.sensors.mqtt.MqttIngest`), through an
  :class:`Announcer` on its own connection, so that the broker does not send the
  notifications back to it (MQTT v5 No Local);
- CSV imports, through a connection for the one batch (:func:`announce`).

The last two have no request, so their links start with the ``TWIN_PUBLIC_URL`` setting
(:func:`sta_url`). Only what a batch stored is announced: a re-delivered message or a
re-imported file stores nothing and announces nothing.

Publishing is a notification, not part of the write: the Observation is stored before it
is published, and when the broker is away the write still succeeds and the missed
messages are logged (subscribers can catch up through the REST API). Messages the broker
cannot take yet (Mosquitto lets a client have 20 unacknowledged) wait in the client;
paho numbers at most 65,535 of them, so a longer backlog loses messages, with a warning.

A ``twin sensors ingest`` on the same broker subscribes to ``v1.1/+/Observations`` for
MQTT creates and so receives the API's and the imports' notifications; they are
duplicates of stored Observations, which the store's idempotent observations absorb.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Final

import paho.mqtt.client as mqtt

from twin.store.base import StoredObservation

logger = logging.getLogger(__name__)

TOPICS: Final = ("v1.1/Datastreams({datastream})/Observations", "v1.1/Observations")
Message = tuple[int, dict[str, Any]]
"""A Datastream id (for the topic) and the Observation's JSON."""


def sta_url(public_url: str, slug: str) -> str:
    """A municipality's SensorThings service root (the API's ``/{slug}/sta/v1.1``)."""
    return f"{public_url.rstrip('/')}/{slug}/sta/v1.1"


def observation_json(base: str, observation: StoredObservation) -> dict[str, Any]:
    """What ``GET {base}/Observations(ID)`` answers, built from the stored row.

    Built here rather than queried through the API's entity table because the live
    ingest announces thousands a second; the properties and their order are those of
    ``viewer/api/sensorthings/entities.py``, which the tests compare.
    """
    link = f"{base}/Observations({observation.id})"
    return {
        "@iot.id": observation.id,
        "@iot.selfLink": link,
        "phenomenonTime": observation.phenomenon_time,
        "resultTime": observation.result_time,
        "result": observation.result,
        "resultQuality": observation.quality,
        "parameters": observation.parameters,
        "Datastream@iot.navigationLink": f"{link}/Datastream",
        "FeatureOfInterest@iot.navigationLink": f"{link}/FeatureOfInterest",
    }


def public_messages(base: str, observations: Iterable[StoredObservation]) -> list[Message]:
    """The messages for newly stored Observations that the public may see."""
    return [
        (o.datastream_id, observation_json(base, o))
        for o in observations
        if o.classification == "public"
    ]


class Announcer:
    """Publishes Observations through an MQTT client, and can wait until the broker has them."""

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.last: mqtt.MQTTMessageInfo | None = None

    def publish(self, messages: Iterable[Message]) -> int:
        """Publish ``(datastream id, Observation JSON)`` pairs; return how many went out.

        Messages that cannot be handed to the broker are counted and logged, not raised:
        the Observations are stored already. Publishing only queues: paho's network
        thread sends.
        """
        pending = list(messages)
        if not pending:
            return 0
        if not self.client.is_connected():
            logger.warning(
                "%d Observation(s) not published: no connection to the MQTT broker at %s:%s",
                len(pending),
                self.client.host,
                self.client.port,
            )
            return 0
        sent = failed = 0
        for datastream, observation in pending:
            payload = json.dumps(observation, ensure_ascii=False)
            infos = [
                self.client.publish(topic.format(datastream=datastream), payload, qos=1)
                for topic in TOPICS
            ]
            if all(info.rc == mqtt.MQTT_ERR_SUCCESS for info in infos):
                sent += 1
                self.last = infos[-1]
            else:
                failed += 1
        if failed:
            logger.warning("%d Observation(s) could not be published over MQTT", failed)
        return sent

    def wait(self, timeout: float) -> None:
        """Wait (up to ``timeout``) until the broker has acknowledged what was published.

        The broker acknowledges in order, so the last message stands for all; the
        client's network loop must still run. Without a connection nothing can come.
        """
        if self.last is not None and self.client.is_connected():
            self.last.wait_for_publish(timeout)


class ObservationPublisher(Announcer):
    """An :class:`Announcer` with an MQTT connection of its own."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 1883, *, connect_timeout: float = 2.0
    ) -> None:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"twin-sta-{uuid.uuid4().hex[:12]}"
        )
        super().__init__(client)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        connected = threading.Event()
        client.on_connect = lambda *_args: connected.set()
        client.connect_async(host, port, keepalive=30)
        client.loop_start()
        # wait once, so that the first Observations of a fresh server are not missed
        if not connected.wait(connect_timeout):
            logger.warning("no MQTT broker at %s:%s yet; will keep trying", host, port)

    def close(self, *, timeout: float = 5.0) -> None:
        """Wait until the broker has what was published (up to ``timeout``), then disconnect."""
        self.wait(timeout)
        self.client.disconnect()
        self.client.loop_stop()


def announce(observations: Sequence[StoredObservation], *, base: str, host: str, port: int) -> int:
    """Publish one batch through a connection of its own; how many Observations went out.

    For commands that end right after (a CSV import): it connects only when there is
    something public to announce and waits until the broker has it.
    """
    messages = public_messages(base, observations)
    if not messages:
        return 0
    publisher = ObservationPublisher(host, port)
    try:
        return publisher.publish(messages)
    finally:
        publisher.close()
