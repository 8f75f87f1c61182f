"""The project's OpenAPI document, read before schemathesis is given it: a file that is not
an OpenAPI document is one line naming it (the row's FAIL), not schemathesis' traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .user_file import read_user_yaml


class OpenApiError(ValueError):
    """`FILE[:LINE]: what is wrong` with the document."""


def read_openapi(path: Path) -> dict[str, Any]:
    document = read_user_yaml(path, OpenApiError)
    if not isinstance(document, dict):
        raise OpenApiError(f"{path}: a YAML {type(document).__name__}, not an OpenAPI document")
    version = document.get("openapi", document.get("swagger"))
    if not isinstance(version, str):
        raise OpenApiError(f"{path}: no `openapi: 3.x` version string at the top")
    if not isinstance(document.get("paths"), dict):
        raise OpenApiError(f"{path}: `paths` is not a mapping of the API's routes")
    return document
