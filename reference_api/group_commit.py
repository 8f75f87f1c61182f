"""Group commit for claims: the claims that arrive while a batch is being committed wait,
then go to the database together, decided in one transaction and made durable by one
commit. A hot coupon then costs one commit (one fsync with its row locked) per batch
instead of one per claim; each claim is still answered only after its batch committed,
or told it ran out of time."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from .decide import ClaimKey, ClaimOutcome

CommitBatch = Callable[[Sequence[ClaimKey]], Awaitable[list[ClaimOutcome]]]


@dataclass(slots=True)
class _Waiting:
    key: ClaimKey
    deadline: float  # the event loop's clock
    answer: asyncio.Future[ClaimOutcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def coupon(self) -> str:
        return self.key[1]


class GroupCommit:
    """At most `max_batches` batches run at once (one database connection each), and no
    coupon is in two of them: claims of a coupon being committed wait for the next batch,
    which keeps their arrival order and lets them share its commit.

    A claim not answered within `timeout` seconds raises TimeoutError: withdrawn if still
    waiting, so it never happens; decided all the same if its batch is running, and nobody
    told. One timer serves every claim (their deadlines come in arrival order): a timer
    per claim was a measurable share of its CPU (docs/performance.md)."""

    def __init__(
        self, commit_batch: CommitBatch, max_batches: int, max_batch_size: int, timeout: float
    ) -> None:
        self._commit_batch = commit_batch
        self._max_batches = max_batches
        self._max_batch_size = max_batch_size
        self._timeout = timeout
        self._waiting: list[_Waiting] = []
        self._busy_coupons: set[str] = set()
        self._running: set[asyncio.Task[None]] = set()
        self._unanswered: deque[_Waiting] = deque()  # by deadline; some answered since
        self._timer: asyncio.TimerHandle | None = None

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        deadline = asyncio.get_running_loop().time() + self._timeout
        waiting = _Waiting((user_id, coupon_name), deadline)
        self._waiting.append(waiting)
        self._unanswered.append(waiting)
        if self._timer is None:
            self._set_timer()
        self._start_batches()
        try:
            return await waiting.answer
        except asyncio.CancelledError:  # the request went away
            # Not sent yet: withdrawn, so nothing happened. Sent: its batch decides it all
            # the same, and finds its answer cancelled, so nobody is told.
            if waiting in self._waiting:
                self._waiting.remove(waiting)
            elif waiting.answer.done() and not waiting.answer.cancelled():
                waiting.answer.exception()  # answered just before: read, or asyncio logs it
            raise

    def _set_timer(self) -> None:
        """The timer for the oldest unanswered claim, if any."""
        self._forget_answered()
        if self._unanswered:
            due = self._unanswered[0].deadline
            self._timer = asyncio.get_running_loop().call_at(due, self._expire, due)

    def _expire(self, due: float) -> None:
        """Time is up for the claims whose deadline is `due` or earlier. Compared with the
        deadline the timer was set for, not the clock, which may read a little earlier."""
        self._timer = None
        while self._unanswered and self._unanswered[0].deadline <= due:
            waiting = self._unanswered.popleft()
            if not waiting.answer.done():
                waiting.answer.set_exception(TimeoutError())
        self._waiting = [waiting for waiting in self._waiting if not waiting.answer.done()]
        self._set_timer()

    def _forget_answered(self) -> None:
        """Drop the answered claims from the front of the deadlines: each batch does, so
        the queue stays as short as the claims in flight, and no sweep grows long."""
        while self._unanswered and self._unanswered[0].answer.done():
            self._unanswered.popleft()

    def _start_batches(self) -> None:
        while self._waiting and len(self._running) < self._max_batches:
            batch = self._take_batch()
            if not batch:
                return
            self._running.add(asyncio.create_task(self._commit(batch)))

    def _take_batch(self) -> list[_Waiting]:
        """The oldest waiting claims whose coupons no running batch holds."""
        batch: list[_Waiting] = []
        still_waiting: list[_Waiting] = []
        for waiting in self._waiting:
            free = waiting.coupon not in self._busy_coupons
            if free and len(batch) < self._max_batch_size:
                batch.append(waiting)
            else:
                still_waiting.append(waiting)
        self._waiting = still_waiting
        self._busy_coupons.update(waiting.coupon for waiting in batch)
        return batch

    async def _commit(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await self._commit_batch([waiting.key for waiting in batch])
        except Exception as exc:  # every claim of the batch gets the database's error (a 503)
            for waiting in batch:
                if not waiting.answer.done():  # done: cancelled, its request went away
                    waiting.answer.set_exception(exc)
        else:
            for waiting, outcome in zip(batch, outcomes, strict=True):
                if not waiting.answer.done():
                    waiting.answer.set_result(outcome)
        finally:
            self._forget_answered()
            # Before starting the next batches: this one no longer counts as running.
            self._running.discard(asyncio.current_task())
            self._busy_coupons.difference_update(waiting.coupon for waiting in batch)
            self._start_batches()
