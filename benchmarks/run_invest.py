"""Run natcap.invest's urban cooling model on a JSON file of arguments.

Executed by the Python of the separate InVEST environment (``make invest``), never by the
project's own: InVEST needs GDAL's Python bindings, which the twin does not.
Usage: python run_invest.py ARGS.json
"""

import json
import logging
import sys
import time

from natcap.invest import urban_cooling_model

logging.basicConfig(level=logging.WARNING)
with open(sys.argv[1], encoding="utf-8") as handle:
    args = json.load(handle)
start = time.perf_counter()
urban_cooling_model.MODEL_SPEC.execute(args)
print(json.dumps({"seconds": time.perf_counter() - start}))
