"""Request bodies are validated as the OpenAPI schema says: strict JSON types, no lax coercion ("1" is not
an integer, 0 is not false, "3.5" is not a number). Issue 11, item 11: schemathesis found such inputs
accepted. Fields whose JSON form is a string (dates) opt out with `Field(strict=False)`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictIn(BaseModel):
    model_config = ConfigDict(strict=True)
