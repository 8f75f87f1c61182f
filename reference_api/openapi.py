"""`python -m reference_api.openapi > openapi.yaml`: the served OpenAPI document as YAML."""

from __future__ import annotations

import sys

import yaml

from .app import create_app
from .settings import Settings


def served_openapi() -> dict:
    return create_app(Settings(), claim_lane=False).openapi()


if __name__ == "__main__":
    yaml.safe_dump(served_openapi(), sys.stdout, sort_keys=False, allow_unicode=True)
