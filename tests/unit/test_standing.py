"""A request timing out after the API was found slow is blocked by that finding, and one
finding no API after a restart by that; before it, or for any other error, it is a
failure of its own."""

import requests

from harness.plugin.standing import lost_api, slowness


def test_a_timeout_is_blocked_by_the_first_slowness_found() -> None:
    slow = slowness()
    timeout = requests.exceptions.ReadTimeout("read timed out")
    assert slow.blocking(timeout) is None  # nothing found slow yet: its own failure
    slow.found("stress.flash-sale", "46 of 50 requests not answered within 10 s")
    slow.found("stress.scale-200", "196 of 200 ...")  # the first finding stays
    blocked = slow.blocking(ExceptionGroup("two failures", [timeout, ValueError()]))
    assert blocked is not None and blocked.root == "stress.flash-sale"
    assert blocked.observed == "46 of 50 requests not answered within 10 s"
    assert "its own request then timed out: ReadTimeout" in str(blocked)
    assert slow.blocking(AssertionError("oversold")) is None
    assert slow.blocking(None) is None


def test_no_api_after_a_restart_blocks_what_then_finds_none() -> None:
    lost = lost_api()
    refused = requests.exceptions.ConnectionError("connection refused")
    assert lost.blocking(refused) is None  # no restart failed yet: its own failure
    lost.found("faults.api-restart", "the API did not come back after a restart")
    blocked = lost.blocking(refused)
    assert blocked is not None and blocked.root == "faults.api-restart"
    assert "found no API to answer: ConnectionError" in str(blocked)
    assert lost.blocking(requests.exceptions.ReadTimeout()) is None  # slowness' to explain
