"""The steps a check takes on its way to what it judges, each owned by the row that judges
it: a coupon created (create.created), a first claim taken (claim.success), an error
answer's body (errors.body). A step that fails makes the check BLOCKED by its owner, with
the request and its answer; it is never the check's own FAIL, so one cause is one finding."""

from __future__ import annotations

import requests

from ..blocked import CLAIM_SUCCESS, CREATE_CREATED, ERRORS_BODY, Blocked
from .answers import describe, error_text
from .client import ApiClient


def create_needed(api: ApiClient, name: str, amount: int) -> None:
    """The coupon the check needs, created; else BLOCKED by create.created."""
    created = api.create(name, amount)
    if created.status_code != 201:
        raise Blocked(CREATE_CREATED, f"a create this check needs: {describe(created)}")


def claim_needed(api: ApiClient, user: str, name: str) -> requests.Response:
    """A claim the check needs to succeed (a fresh user, a coupon with stock), taken; else
    BLOCKED by whichever row owns the refusal: create.created when GET shows the coupon
    never got its stock, claim.success otherwise."""
    claimed = api.claim(user, name)
    if claimed.status_code in (200, 201):
        return claimed
    raise stockless(api, name) or Blocked(
        CLAIM_SUCCESS,
        f"a claim this check needs, by a new user on a coupon with stock: {describe(claimed)}",
    )


def stockless(api: ApiClient, name: str) -> Blocked | None:
    """create.created's finding, when a coupon nobody holds shows no stock left on GET:
    every claim on it is refused for that reason alone."""
    shown = api.get(name)
    try:
        view = shown.json()
    except ValueError:
        return None
    if not isinstance(view, dict) or view.get("claimed_by") or view.get("remaining_amount") != 0:
        return None
    return Blocked(
        CREATE_CREATED,
        f"a coupon created with stock and never claimed shows none left: {describe(shown)}",
    )


class ErrorBodies:
    """The error answers a check saw, whose bodies errors.body alone judges: a check whose
    own findings held, but that saw one without a JSON {"error": text} body, ends BLOCKED
    by errors.body with the first such answer (`settle`), not failed a second time for it."""

    def __init__(self) -> None:
        self.unlike: list[str] = []  # each answer without the error body, described

    def note(self, response: requests.Response) -> None:
        if response.status_code >= 400 and error_text(response) is None:
            self.unlike.append(describe(response))

    def settle(self) -> None:
        if self.unlike:
            raise Blocked(
                ERRORS_BODY,
                f"{len(self.unlike)} error answer(s) with no {{'error': text}} body; first: "
                f"{self.unlike[0]}",
                held="the statuses and the stored data held",
            )


def error_body_judged_elsewhere(response: requests.Response) -> None:
    """A check's last step on an error answer whose status held: its body, errors.body's."""
    bodies = ErrorBodies()
    bodies.note(response)
    bodies.settle()
