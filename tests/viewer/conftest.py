"""Fixtures of the viewer tests: an app over the real, imported sample municipality.

Also the helpers the viewer test modules share: a private copy of a workspace, the app
served by uvicorn, a token per role, the config a page embeds, and Debian's Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import build_into, make_town
from tests.viewer._browser import CHROMIUM, CHROMIUM_ARGS
from twin.access import create_token
from twin.config import Classification, Role, load_config
from twin.importer import import_layer, init_municipality
from twin.store.base import TwinStore
from twin.workspace import Workspace
from viewer.app import create_app


@pytest.fixture(scope="session")
def viewer_workspace(imported_workspace: Workspace) -> Workspace:
    """The sample municipality Musterstadt, fully imported (read-only)."""
    return imported_workspace


@pytest.fixture(scope="session")
def client(viewer_workspace: Workspace) -> TestClient:
    return TestClient(create_app(viewer_workspace))


@pytest.fixture(scope="session")
def live_server(viewer_workspace: Workspace) -> Iterator[str]:
    """Base URL of the real app served by uvicorn on a free localhost port."""
    with serving(create_app(viewer_workspace)) as url:
        yield url


def copy_workspace(
    source: Workspace, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Workspace:
    """A writable copy of ``source`` of the caller's own, in a new temporary folder ``name``."""
    root = tmp_path_factory.mktemp(name) / "ws"
    shutil.copytree(source.root, root)
    return Workspace(root)


def add_testort(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """``workspace`` with the tiny municipality Testort added (its layers not imported)."""
    config = load_config(make_town(tmp_path_factory.mktemp("testort")))
    init_municipality(config, workspace, actor="pytest")
    return workspace


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def role_tokens(store: TwinStore) -> dict[str, dict[str, str]]:
    """Authorization headers of one new token per role, and none for "anonymous"."""
    made = {
        role.value: create_token(store, f"test {role.value}", role, actor="pytest")[1]
        for role in Role
    }
    return {name: {"Authorization": f"Bearer {token}"} for name, token in made.items()} | {
        "anonymous": {}
    }


def page_config(html: str) -> dict[str, Any]:
    """The config a page embeds for its script (``<script id="twin-config">``)."""
    match = re.search(
        r'<script type="application/json" id="twin-config">(.*?)</script>', html, re.S
    )
    assert match, "the page embeds its config"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, one per test module (skip without it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def two_towns(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Musterstadt with a layer of every classification, and the tiny Testort beside it.

    Musterstadt's own layers are public and council; an ``internal`` copy of the streets
    (``street_works``) and a ``personal`` copy of the trees (``tree_sponsors``) are added.
    """
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "two-towns")
    config = workspace.config("musterstadt")
    layers = {layer.name: layer for layer in config.layers}
    extra = [
        layers["streets"].model_copy(
            update={"name": "street_works", "classification": Classification.INTERNAL}
        ),
        layers["trees"].model_copy(
            update={"name": "tree_sponsors", "classification": Classification.PERSONAL}
        ),
    ]
    store = workspace.store("musterstadt")
    for layer in extra:
        import_layer(config, store, layer, actor="pytest")
    build_into(workspace, make_town(tmp_path_factory.mktemp("testort-source")))
    return workspace
