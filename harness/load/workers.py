"""What the run makes of its workers' reports (shipping.py): how much each sent, which
stopped reporting, and which claims that leaves of unknown outcome."""

from __future__ import annotations

import dataclasses

from harness.races.history import CouponState, Operation

from .shipping import WorkerLog


def worker_lines(logs: list[WorkerLog]) -> list[str]:
    """One line per locust process that shipped a history."""
    lines = []
    for log in sorted(logs, key=lambda log: log.worker):
        per_op = log.bytes / log.operations if log.operations else 0.0
        state = (
            "reported to the end"
            if log.complete
            else f"said it sent {log.declared['operations']}: {log.operations} arrived"
            if log.finished
            else "still connected, its last batch never came"
            if log.connected_at_end
            else f"STOPPED REPORTING (died?) with {len(log.in_flight)} request(s) in flight"
        )
        lines.append(
            f"worker {log.worker} ({log.node}): {log.operations} operations in {log.batches} "
            f"batch(es), {log.bytes:,} bytes ({per_op:.1f} bytes/operation); {state}"
        )
    return lines


def short_counts(logs: list[WorkerLog]) -> list[str]:
    """Workers whose history arrived short: their last batch says they sent more, or it
    never came from a worker still connected."""
    return [
        f"worker {log.worker} said it sent {log.declared['operations']} operations, "
        f"{log.operations} arrived: its history is incomplete"
        for log in logs
        if log.finished and not log.complete
    ] + [
        f"worker {log.worker} is still connected and its last batch never came: its "
        "history is incomplete"
        for log in logs
        if log.connected_at_end and not log.finished
    ]


def unknown_after_death(
    logs: list[WorkerLog], history: list[Operation], states: dict[str, CouponState | None]
) -> list[Operation]:
    """For each worker that stopped reporting: the requests in flight at its last batch,
    and a claim for every row of its users in the tables that no operation accounts for
    (sent after its last batch), each of unknown outcome, pending until the run's end."""
    dead = [log for log in logs if not log.finished and not log.connected_at_end]
    if not dead or not history:
        return []
    end = max(op.completed for op in history)
    unknown = [
        dataclasses.replace(Operation.from_json(line), completed=end, error="worker died")
        for log in dead
        for line in log.in_flight
    ]
    accounted = {(op.user, op.coupon) for op in [*history, *unknown] if op.type != "fail"}
    since = {log.worker: end for log in dead}
    for state in states.values():
        for user in state.claimants if state else ():
            tag = next((tag for tag in since if f"-{tag}-" in user), None)
            if tag is not None and (user, state.name) not in accounted:
                unknown.append(
                    Operation(
                        process=-1,
                        f="claim",
                        coupon=state.name,
                        user=user,
                        type="info",
                        status=None,
                        invoked=min(op.invoked for op in history),
                        completed=end,
                        error=f"sent by worker {tag} after its last batch; it died",
                    )
                )
    return unknown
