"""The committed openapi.yaml is exactly what the reference API serves."""

from pathlib import Path

import yaml

from reference_api.openapi import served_openapi

OPENAPI = Path(__file__).parents[2] / "openapi.yaml"


def test_openapi_yaml_matches_the_served_document() -> None:
    committed = yaml.safe_load(OPENAPI.read_text())
    assert committed == served_openapi(), (
        "openapi.yaml and the app disagree: regenerate with "
        "`python -m reference_api.openapi > openapi.yaml` and review the diff"
    )


def test_no_documented_status_the_api_never_sends() -> None:
    statuses = {
        status
        for operations in served_openapi()["paths"].values()
        for operation in operations.values()
        for status in operation["responses"]
    }
    assert statuses == {"200", "201", "400", "404", "409", "503"}, statuses


def test_reference_api_conforms_to_openapi_yaml(tmp_path) -> None:
    """What the suite prefers of others (hostile.openapi), the reference must do."""
    from harness.stacks.opener import open_stack
    from harness.stacks.spec import StackSpec
    from tests.contract.test_openapi_conformance import failures, run_schemathesis

    with open_stack(StackSpec(project_dir=OPENAPI.parent)) as stack:
        result = run_schemathesis(OPENAPI, stack.api_url, tmp_path)
    assert result.returncode == 0, failures(result.stdout)
