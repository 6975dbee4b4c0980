"""How a catalogue entry is named and credited to the public, in German or English.

The API's collection metadata and the map's layer list and attribution line must say the
same thing, so both take their words from here.
"""

from __future__ import annotations

import re

from twin.catalogue import CatalogueEntry
from viewer.negotiation import Lang


def layer_title(entry: CatalogueEntry, lang: Lang) -> str:
    """The layer's title in ``lang`` (German if it has no English one)."""
    return entry.title.get(lang)


def layer_description(entry: CatalogueEntry, lang: Lang) -> str | None:
    """The layer's description in ``lang``, if it has one."""
    return entry.description.get(lang) if entry.description else None


def attribution(entry: CatalogueEntry) -> str:
    """Credit line required by the layer's licence: who, and under which licence.

    The licence is appended unless the attribution already names it, ignoring its
    version ("© OpenStreetMap contributors (ODbL)" for ``ODbL-1.0`` stays as it is).
    """
    who = entry.attribution or entry.source
    licence_name = re.split(r"[-\s]\d", entry.licence)[0].lower()
    if not entry.licence or licence_name in who.lower():
        return who
    return f"{who} ({entry.licence})"
