"""Fixtures of the viewer tests: an app over the real, imported sample municipality."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from twin.workspace import Workspace
from viewer.app import create_app


@pytest.fixture(scope="session")
def viewer_workspace(imported_workspace: Workspace) -> Workspace:
    """The sample municipality Musterstadt, fully imported (read-only)."""
    return imported_workspace


@pytest.fixture(scope="session")
def client(viewer_workspace: Workspace) -> TestClient:
    return TestClient(create_app(viewer_workspace))
