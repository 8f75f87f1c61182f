"""Which claims a fault test holds to --answer-within: every claim in flight during the
fault, those sent just before it included (a third-party API whose every claim hung from
the fault's first moment sent none during it, and was reported as such, not as hanging)."""

from harness.races.concurrency import Reply
from tests.contract.fault_load import unanswered_in_time

FAULT = (10.0, 21.0)  # monotonic seconds: began, healed
BOUND = 10.0


def reply(invoked: float, completed: float, status: int | None = 201) -> Reply:
    error = None if status else "ReadTimeout"
    return Reply(0, status, None, error, invoked=invoked, completed=completed)


def test_a_claim_sent_before_the_fault_that_hangs_through_it_is_late() -> None:
    late = unanswered_in_time([reply(9.9, 39.9, None)], FAULT, BOUND)
    assert late.startswith("1 of 1 claims in flight during the fault got no answer within 10s")
    assert "waited 30.0s, ReadTimeout" in late


def test_claims_answered_in_time_around_the_fault_are_not_late() -> None:
    replies = [reply(9.9, 15.0, 503), reply(12.0, 17.0, 503), reply(20.5, 21.5)]
    assert unanswered_in_time(replies, FAULT, BOUND) == ""


def test_claims_over_before_the_fault_or_sent_after_it_are_not_judged() -> None:
    replies = [reply(1.0, 9.0, None), reply(25.0, 60.0, None)]
    assert unanswered_in_time(replies, FAULT, BOUND) == "no claim was in flight during the fault"
