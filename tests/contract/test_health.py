"""GET /health (api-contract.md): 200 while the database answers (never 200 while it does
not: the fault tests check that), and preferably the contract's body."""

import pytest

from harness.blocked import HEALTH_OK, Blocked
from harness.races.answers import describe

pytestmark = pytest.mark.runtime


@pytest.mark.contract("health.ok")
def test_health_answers_200(api) -> None:
    response = api.health()
    assert response.status_code == 200, f"/health with the database up: {describe(response)}"


@pytest.mark.contract("health.prefer-body")
@pytest.mark.relies_on("health.ok")
def test_health_body_says_healthy(api) -> None:
    response = api.health()
    if response.status_code != 200:  # no health route to have a body: health.ok's failure
        raise Blocked(HEALTH_OK, f"/health with the database up: {describe(response)}")
    try:
        body = response.json()
    except ValueError:
        body = None
    assert isinstance(body, dict) and body.get("status") == "healthy", (
        f'/health body is not {{"status": "healthy"}}: {describe(response)}'
    )
