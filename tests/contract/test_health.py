"""GET /health (api-contract.md): 200 {"status": "healthy"} when the database answers."""

import pytest

pytestmark = pytest.mark.runtime


@pytest.mark.contract("health.ok")
def test_health_answers_healthy(api) -> None:
    response = api.health()
    assert response.status_code == 200, (
        f"/health answered {response.status_code}: {response.text[:200]}"
    )
    assert response.json().get("status") == "healthy", f"/health body {response.text[:200]}"
