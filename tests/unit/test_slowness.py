"""A request timing out after the API was found slow is blocked by that finding; before
it, or for any other error, it is a failure of its own."""

import requests

from harness.plugin.slowness import Slowness


def test_a_timeout_is_blocked_by_the_first_slowness_found() -> None:
    slowness = Slowness()
    timeout = requests.exceptions.ReadTimeout("read timed out")
    assert slowness.blocking(timeout) is None  # nothing found slow yet: its own failure
    slowness.found("stress.flash-sale", "46 of 50 requests not answered within 10 s")
    slowness.found("stress.scale-200", "196 of 200 ...")  # the first finding stays
    blocked = slowness.blocking(ExceptionGroup("two failures", [timeout, ValueError()]))
    assert blocked is not None and blocked.root == "stress.flash-sale"
    assert blocked.observed == "46 of 50 requests not answered within 10 s"
    assert "its own request then timed out: ReadTimeout" in str(blocked)
    assert slowness.blocking(AssertionError("oversold")) is None
    assert slowness.blocking(None) is None
