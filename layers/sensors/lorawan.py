"""LoRaWAN uplinks from The Things Stack v3 and ChirpStack v4, decoded per device profile.

Municipal utilities run their sensor networks over LoRaWAN; the network server publishes
each uplink as JSON on MQTT. The two common servers use different envelopes:

- The Things Stack v3 (topic ``v3/{app}@{tenant}/devices/{device}/up``):
  ``end_device_ids.device_id``/``dev_eui``, ``uplink_message.frm_payload`` (base64),
  ``uplink_message.f_port``, ``received_at``, optionally ``decoded_payload``;
- ChirpStack v4 (topic ``application/{id}/device/{devEui}/event/up``):
  ``deviceInfo.devEui``/``deviceName``, ``data`` (base64), ``fPort``, ``time``, optionally
  ``object`` (decoded by a codec on the server).

When the network server has not decoded the payload, the device profile's decoder does.
The binary layouts below are those of the toolkit's reference devices (documented so that
a municipality can configure real devices with the same layout, or use ``json``).

Examples
--------
>>> decode_payload("soil_moisture", bytes.fromhex("011d0960"))
{'soil_moisture': 28.5, 'soil_temperature': 24.0}
>>> encode_payload("soil_moisture", {"soil_moisture": 28.5, "soil_temperature": 24.0}).hex()
'011d0960'
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class UplinkError(ValueError):
    """A message that is not a usable uplink; the text becomes the dead letter's reason."""


def _soil(data: bytes) -> dict[str, float]:
    """uint16 moisture in 0.1 vol-%, int16 temperature in 0.01 °C (big-endian)."""
    moisture, temperature = struct.unpack(">Hh", data[:4])
    return {"soil_moisture": moisture / 10, "soil_temperature": temperature / 100}


def _air(data: bytes) -> dict[str, float]:
    """int16 air temperature in 0.01 °C, uint8 relative humidity in %."""
    temperature, humidity = struct.unpack(">hB", data[:3])
    return {"air_temperature": temperature / 100, "humidity": float(humidity)}


def _water(data: bytes) -> dict[str, float]:
    """uint16 water level in cm."""
    (level,) = struct.unpack(">H", data[:2])
    return {"water_level": float(level)}


def _counter(data: bytes) -> dict[str, float]:
    """uint16 count since the previous uplink."""
    (count,) = struct.unpack(">H", data[:2])
    return {"count": float(count)}


def _json(data: bytes) -> dict[str, Any]:
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict):
        raise UplinkError("JSON payload is not an object")
    return value


DECODERS: dict[str, tuple[int, Callable[[bytes], dict[str, Any]]]] = {
    "soil_moisture": (4, _soil),
    "air_temperature": (3, _air),
    "water_level": (2, _water),
    "counter": (2, _counter),
    "json": (0, _json),
}
"""Device profile → (minimum payload length, decoder)."""


_ENCODERS: dict[str, Callable[[dict[str, float]], bytes]] = {
    "soil_moisture": lambda v: struct.pack(
        ">Hh", round(v["soil_moisture"] * 10), round(v.get("soil_temperature", 0) * 100)
    ),
    "air_temperature": lambda v: struct.pack(
        ">hB", round(v["air_temperature"] * 100), round(v.get("humidity", 0))
    ),
    "water_level": lambda v: struct.pack(">H", round(v["water_level"])),
    "counter": lambda v: struct.pack(">H", round(v["count"])),
    "json": lambda v: json.dumps(v).encode(),
}


def encode_payload(profile: str, values: dict[str, float]) -> bytes:
    """The payload a reference device of ``profile`` sends for ``values`` (for simulation)."""
    return _ENCODERS[profile](values)


def decode_payload(profile: str, data: bytes) -> dict[str, Any]:
    """Decode a raw payload with the profile's decoder; :class:`UplinkError` if it cannot."""
    if profile not in DECODERS:
        raise UplinkError(f"unknown device profile {profile!r}; known: {', '.join(DECODERS)}")
    length, decoder = DECODERS[profile]
    if len(data) < length:
        raise UplinkError(
            f"payload of {len(data)} byte(s) is too short for profile {profile!r} ({length} needed)"
        )
    try:
        return decoder(data)
    except (struct.error, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UplinkError(f"payload cannot be decoded as {profile!r}: {err}") from None


@dataclass(frozen=True)
class Uplink:
    """One uplink, whichever network server sent it."""

    device: str
    dev_eui: str
    received_at: str
    f_port: int | None
    payload: bytes
    decoded: dict[str, Any] | None


def _b64(text: object) -> bytes:
    if not isinstance(text, str):
        return b""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UplinkError("payload is not valid base64") from None


def parse_uplink(message: bytes) -> Uplink:
    """Parse a TTS v3 or ChirpStack v4 uplink JSON message."""
    try:
        body = json.loads(message.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UplinkError(f"not JSON: {err}") from None
    if not isinstance(body, dict):
        raise UplinkError("uplink JSON is not an object")
    if "end_device_ids" in body:  # The Things Stack v3
        ids, up = body.get("end_device_ids") or {}, body.get("uplink_message") or {}
        if not isinstance(ids, dict) or not isinstance(up, dict) or "device_id" not in ids:
            raise UplinkError(
                "The Things Stack uplink without end_device_ids.device_id or uplink_message"
            )
        return Uplink(
            device=str(ids["device_id"]),
            dev_eui=str(ids.get("dev_eui", "")).lower(),
            received_at=str(up.get("received_at") or body.get("received_at") or ""),
            f_port=up.get("f_port"),
            payload=_b64(up.get("frm_payload")),
            decoded=up.get("decoded_payload")
            if isinstance(up.get("decoded_payload"), dict)
            else None,
        )
    if "deviceInfo" in body:  # ChirpStack v4
        info = body.get("deviceInfo") or {}
        if not isinstance(info, dict) or "devEui" not in info:
            raise UplinkError("ChirpStack uplink without deviceInfo.devEui")
        return Uplink(
            device=str(info.get("deviceName", "")),
            dev_eui=str(info["devEui"]).lower(),
            received_at=str(body.get("time") or ""),
            f_port=body.get("fPort"),
            payload=_b64(body.get("data")),
            decoded=body.get("object") if isinstance(body.get("object"), dict) else None,
        )
    raise UplinkError("neither a The Things Stack v3 nor a ChirpStack v4 uplink")
