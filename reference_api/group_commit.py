"""Group commit for claims: the claims that arrive while a batch is being committed wait,
then go to the database together, decided in one transaction and made durable by one
commit. A hot coupon then costs one commit (one fsync with its row locked) per batch
instead of one per claim; each claim is still answered only after its batch committed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from .decide import ClaimKey, ClaimOutcome

CommitBatch = Callable[[Sequence[ClaimKey]], Awaitable[list[ClaimOutcome]]]


@dataclass
class _Waiting:
    key: ClaimKey
    answer: asyncio.Future[ClaimOutcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def coupon(self) -> str:
        return self.key[1]


class GroupCommit:
    """At most `max_batches` batches run at once (one database connection each), and no
    coupon is in two of them: claims of a coupon being committed wait for the next batch,
    which keeps their arrival order and lets them share its commit."""

    def __init__(self, commit_batch: CommitBatch, max_batches: int, max_batch_size: int) -> None:
        self._commit_batch = commit_batch
        self._max_batches = max_batches
        self._max_batch_size = max_batch_size
        self._waiting: list[_Waiting] = []
        self._busy_coupons: set[str] = set()
        self._running: set[asyncio.Task[None]] = set()

    async def claim(self, user_id: str, coupon_name: str) -> ClaimOutcome:
        waiting = _Waiting((user_id, coupon_name))
        self._waiting.append(waiting)
        self._start_batches()
        try:
            return await waiting.answer
        except asyncio.CancelledError:  # the request timed out or went away
            # Not sent yet: withdrawn, so nothing happened. Sent: its batch decides it all
            # the same, and finds its answer cancelled, so nobody is told.
            if waiting in self._waiting:
                self._waiting.remove(waiting)
            elif waiting.answer.done() and not waiting.answer.cancelled():
                waiting.answer.exception()  # answered just before: read, or asyncio logs it
            raise

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
            # Before starting the next batches: this one no longer counts as running.
            self._running.discard(asyncio.current_task())
            self._busy_coupons.difference_update(waiting.coupon for waiting in batch)
            self._start_batches()
