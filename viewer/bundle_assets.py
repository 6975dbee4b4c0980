"""Copy the front-end libraries installed by npm into ``viewer/static/vendor/``.

The viewer must work without internet access, so MapLibre GL is served by the twin
itself. Its files come from the npm registry (pinned in ``package.json`` and
``package-lock.json``); this step copies the built files next to the viewer's own static
files. Run it after ``npm ci``::

    npm ci && .venv/bin/python -m viewer.bundle_assets
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from viewer.templating import VENDOR_DIR

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
COMMAND = "npm ci && .venv/bin/python -m viewer.bundle_assets"
"""The one command that installs the front-end assets (shown when they are missing)."""

ASSETS: dict[str, str] = {
    "maplibre-gl/dist/maplibre-gl.js": "maplibre-gl.js",
    "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
    "maplibre-gl/LICENSE.txt": "maplibre-gl-LICENSE.txt",
}
"""Source path under ``node_modules`` → file name in the vendor folder."""


def bundle(node_modules: Path, target: Path = VENDOR_DIR) -> list[Path]:
    """Copy :data:`ASSETS` from ``node_modules`` to ``target``; return the written files.

    Raises
    ------
    FileNotFoundError
        If a file is missing, with the command that installs it.
    """
    missing = [src for src in ASSETS if not (node_modules / src).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} not found under {node_modules}; "
            f"run `npm ci` in {REPO_ROOT} first"
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for src, name in ASSETS.items():
        written.append(Path(shutil.copyfile(node_modules / src, target / name)))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--node-modules", type=Path, default=REPO_ROOT / "node_modules", help="npm's folder"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        written = bundle(args.node_modules)
    except FileNotFoundError as err:
        logger.error("%s", err)
        return 1
    for path in written:
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
