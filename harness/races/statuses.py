"""How an implementation's answers read as operations: which status means which claim
rejection (learned by asking, see calibration.py), and the classification of each reply."""

from __future__ import annotations

from dataclasses import dataclass

from .concurrency import Call, Reply
from .history import Kind, Operation, Reason


@dataclass(frozen=True)
class StatusMap:
    """How one implementation answers each claim rejection."""

    already_claimed: int
    out_of_stock: int
    not_found: int

    def reasons(self, status: int) -> tuple[Reason, ...]:
        """Every rejection this status may mean: one, or several where they share it
        (the model and the checker both read an answer this way)."""
        meanings = (
            (self.already_claimed, Reason.ALREADY_CLAIMED),
            (self.out_of_stock, Reason.OUT_OF_STOCK),
            (self.not_found, Reason.NOT_FOUND),
        )
        return tuple(reason for answer, reason in meanings if answer == status)

    def as_option(self) -> str:
        """`409,400,404`: how the load run hands the map to its locust processes."""
        return f"{self.already_claimed},{self.out_of_stock},{self.not_found}"

    @classmethod
    def from_option(cls, text: str) -> StatusMap:
        already, sold_out, unknown = (int(part) for part in text.split(","))
        return cls(already, sold_out, unknown)


def classify_claim(status: int | None, statuses: StatusMap) -> tuple[Kind, tuple[Reason, ...]]:
    if status is None or status >= 500:
        return "info", ()
    if 200 <= status < 300:
        return "ok", ()
    return "fail", statuses.reasons(status) or (Reason.INVALID,)


def classify_create(status: int | None) -> tuple[Kind, tuple[Reason, ...]]:
    if status is None or status >= 500:
        return "info", ()
    if 200 <= status < 300:
        return "ok", ()
    return "fail", (Reason.EXISTS if status == 409 else Reason.INVALID,)


def claim_operation(
    *,
    process: int,
    user: str,
    coupon: str,
    status: int | None,
    invoked: float,
    completed: float,
    statuses: StatusMap,
    error: str | None = None,
) -> Operation:
    kind, reasons = classify_claim(status, statuses)
    return Operation(
        process=process,
        f="claim",
        coupon=coupon,
        user=user,
        type=kind,
        reasons=reasons,
        status=status,
        invoked=invoked,
        completed=completed,
        error=error,
    )


def record(calls: list[Call], replies: list[Reply], statuses: StatusMap) -> list[Operation]:
    """The history of a run: each call with its reply, classified."""
    history = []
    for call, reply in zip(calls, replies, strict=True):
        body = call.body
        if call.path.endswith("/claim"):
            history.append(
                claim_operation(
                    process=reply.process,
                    user=body["user_id"],
                    coupon=body["coupon_name"],
                    status=reply.status,
                    invoked=reply.invoked,
                    completed=reply.completed,
                    statuses=statuses,
                    error=reply.error,
                )
            )
            continue
        kind, reasons = classify_create(reply.status)
        history.append(
            Operation(
                process=reply.process,
                f="create",
                coupon=body["name"],
                amount=body["amount"],
                type=kind,
                reasons=reasons,
                status=reply.status,
                invoked=reply.invoked,
                completed=reply.completed,
                error=reply.error,
            )
        )
    return history
