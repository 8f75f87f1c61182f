"""docs/kubernetes/load.yaml is valid Kubernetes (each document against the API's own
schema, strictly: no field the API does not know), and runs the load command the way the
README says: a master Job, a worker Deployment, a Service between them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

EXAMPLE = Path(__file__).parents[2] / "docs" / "kubernetes" / "load.yaml"


def test_every_document_is_valid_kubernetes() -> None:
    validate = pytest.importorskip("kubernetes_validate", reason="pip install '.[selftest]'")
    documents = list(yaml.safe_load_all(EXAMPLE.read_text()))
    assert [doc["kind"] for doc in documents] == ["Service", "Job", "Deployment"]
    for document in documents:
        validate.validate(document, validate.latest_version(), strict=True)


def test_the_workers_reach_the_master_through_the_service() -> None:
    service, job, deployment = yaml.safe_load_all(EXAMPLE.read_text())
    [master] = job["spec"]["template"]["spec"]["containers"]
    [worker] = deployment["spec"]["template"]["spec"]["containers"]
    assert master["args"][:2] == ["load", "--master"]
    assert f"--master-host={service['metadata']['name']}" in worker["args"]
    assert service["spec"]["selector"] == job["spec"]["template"]["metadata"]["labels"]
    expected = f"--expect-workers={deployment['spec']['replicas']}"
    assert expected in master["args"]
