"""Institution templates as data: YAML files shipped in the package plus per-business overrides in the DB.

A business override (`PrintTemplate.data`) is merged over the packaged template of the same name (or over
`skripsi` when it defines a new name), key by key, so an override only lists what differs.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml

from niaga.printshop.errors import PrintshopInputError

DEFAULT_TEMPLATE = "skripsi"


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@cache
def packaged_templates() -> dict:
    out = {}
    for entry in resources.files("niaga.printshop").joinpath("templates").iterdir():
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            out[data["name"]] = data
    return out


def get_template(name: str, override: dict | None = None) -> dict:
    base = packaged_templates().get(name)
    if base is None and override is None:
        raise PrintshopInputError(
            "unknown_template", f"Template '{name}' tidak dikenal.", available=sorted(packaged_templates())
        )
    result = _merge(base or packaged_templates()[DEFAULT_TEMPLATE], override or {})
    result["name"] = name
    return result


def template_for_business(session: Any, business_id: int | None, name: str) -> dict:
    """The packaged template merged with the business's stored override, when there is one."""
    override = None
    if session is not None and business_id is not None:
        from sqlalchemy import select

        from niaga.printshop.models import PrintTemplate

        row = session.scalar(
            select(PrintTemplate).where(PrintTemplate.business_id == business_id, PrintTemplate.name == name)
        )
        override = row.data if row is not None else None
    return get_template(name, override)


def unnumbered_sets(template: dict) -> tuple[set, set]:
    u = template.get("unnumbered_headings", {})
    return {s.upper() for s in u.get("front", [])}, {s.upper() for s in u.get("back", [])}
