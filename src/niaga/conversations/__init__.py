"""Compatibility alias: the conversations code now lives in `niaga.messaging`.

`niaga.conversations.X` is the very module `niaga.messaging.X` (same object, so monkeypatching either
path patches both). New code imports `niaga.messaging`.
"""

import importlib
import sys

for _name in ("models", "schemas", "service", "events", "buffer", "tasks", "routes", "inbox_routes"):
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"niaga.messaging.{_name}")
