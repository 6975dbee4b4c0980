"""``Workspace.snapshot`` and ``Workspace.has``: what a server asks on every request, cached.

The snapshot (municipality record and catalogue) is read again exactly when something
was committed to the store, by this process or another one, or when the store file is
replaced; ``has`` answers like ``slug in slugs()``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from twin.errors import StoreError, UnknownMunicipalityError
from twin.workspace import STORE_NAME, Workspace

SLUG = "musterstadt"


@pytest.fixture
def workspace(imported_workspace: Workspace, tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(imported_workspace.root, root)
    return Workspace(root)


def rename(store: Path, name: str) -> None:
    """Commit a new municipality name from another process, as the CLI would."""
    code = (
        "import sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('UPDATE twin_municipality SET name = ?', (sys.argv[2],))\n"
        "conn.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(store), name], check=True)


def test_snapshot_is_kept_until_a_commit(workspace: Workspace) -> None:
    first = workspace.snapshot(SLUG)
    assert first.record == workspace.store(SLUG).municipality()
    assert list(first.layers.values()) == workspace.store(SLUG).layers()
    assert workspace.snapshot(SLUG) is first  # nothing committed: nothing read

    rename(workspace.folder(SLUG) / STORE_NAME, "Neustadt")
    assert workspace.snapshot(SLUG).record.name == "Neustadt"

    store = workspace.store(SLUG)  # a write of this process, on its own connection
    entry = store.layer("streets")
    frame = store.read_features("streets", limit=3).frame
    store.write_layer(entry.model_copy(update={"imported_at": datetime.now(UTC)}), frame, actor="t")
    assert (
        workspace.snapshot(SLUG).layers["streets"].imported_at == store.layer("streets").imported_at
    )


def test_the_store_file_alone_holds_what_was_committed(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The open connection keeps the write-ahead log; a copy of the .gpkg must not lag."""
    path = workspace.folder(SLUG) / STORE_NAME
    workspace.snapshot(SLUG)
    rename(path, "Neustadt")
    workspace.snapshot(SLUG)
    shutil.copyfile(path, tmp_path / "copy.gpkg")  # without its -wal
    with sqlite3.connect(tmp_path / "copy.gpkg") as conn:
        assert conn.execute("SELECT name FROM twin_municipality").fetchone() == ("Neustadt",)


def test_a_replaced_store_file_is_read_anew(workspace: Workspace, tmp_path: Path) -> None:
    path = workspace.folder(SLUG) / STORE_NAME
    assert workspace.snapshot(SLUG).record.name == "Musterstadt"
    other = tmp_path / "other.gpkg"
    shutil.copyfile(path, other)
    rename(other, "Neustadt")
    os.replace(other, path)  # e.g. restored from a backup
    assert workspace.snapshot(SLUG).record.name == "Neustadt"


def test_a_missing_store_is_the_stores_error(workspace: Workspace) -> None:
    path = workspace.folder(SLUG) / STORE_NAME
    workspace.snapshot(SLUG)
    path.unlink()
    with pytest.raises(StoreError, match="does not exist"):
        workspace.snapshot(SLUG)
    assert not path.exists(), "no empty store was created"
    with pytest.raises(UnknownMunicipalityError):
        workspace.snapshot("nowhere")


def test_a_broken_store_is_the_stores_error(workspace: Workspace) -> None:
    path = workspace.folder(SLUG) / STORE_NAME
    workspace.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError):
        workspace.snapshot(SLUG)


def test_close_closes_and_snapshot_reopens(workspace: Workspace) -> None:
    first = workspace.snapshot(SLUG)
    workspace.close()
    again = workspace.snapshot(SLUG)
    assert again == first and again is not first


@pytest.mark.parametrize(
    "slug", ["", ".", "..", "nowhere", f"{SLUG}/", f"./{SLUG}", f"{SLUG}/../{SLUG}", SLUG.upper()]
)
def test_has_answers_like_slugs(workspace: Workspace, slug: str) -> None:
    assert workspace.has(slug) is (slug in workspace.slugs()) is False


def test_has_sees_new_and_removed_municipalities(workspace: Workspace) -> None:
    assert workspace.has(SLUG)
    assert not workspace.has("neustadt")
    shutil.copytree(workspace.folder(SLUG), workspace.root / "neustadt")
    assert workspace.has("neustadt")
    shutil.rmtree(workspace.root / "neustadt")
    assert not workspace.has("neustadt")
