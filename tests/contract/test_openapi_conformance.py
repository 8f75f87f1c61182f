"""schemathesis against the project's own openapi.yaml: generated requests, valid and
invalid, and every answer checked against the document (no 5xx, documented statuses,
content types, headers and bodies)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from harness.inspect.openapi import OpenApiError, read_openapi

pytestmark = [pytest.mark.runtime, pytest.mark.slow]

# JSON Schema's "integer" admits 14358.0, which the contract's strict reading refuses
# (like 1.5); acceptance of valid input is proved by the hostile.* tests instead.
EXCLUDED = "positive_data_acceptance"


def schemathesis_binary() -> str | None:
    return shutil.which("schemathesis") or shutil.which(
        "schemathesis", path=str(Path(sys.executable).parent)
    )


def run_schemathesis(spec: Path, api_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    binary = schemathesis_binary()
    if binary is None:
        pytest.skip("schemathesis is not installed (pip install schemathesis)")
    examples = max(10, settings.default.max_examples * 3)  # follows the hypothesis profile
    return subprocess.run(
        [
            binary,
            "run",
            str(spec),
            "--url",
            api_url,
            "--checks",
            "all",
            "--exclude-checks",
            EXCLUDED,
            "--max-examples",
            str(examples),
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def failures(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("❌ ST")]
    return "; ".join(lines) or output[-1500:]


@pytest.mark.contract("hostile.openapi")
def test_api_conforms_to_its_openapi(project_dir: Path, stack, tmp_path: Path) -> None:
    spec = project_dir / "openapi.yaml"
    if not spec.exists():
        pytest.skip(f"{project_dir} has no openapi.yaml to check the API against")
    try:
        read_openapi(spec)
    except OpenApiError as exc:
        pytest.fail(str(exc), pytrace=False)
    result = run_schemathesis(spec, stack.api_url, tmp_path)
    assert result.returncode == 0, f"schemathesis: {failures(result.stdout)}"
