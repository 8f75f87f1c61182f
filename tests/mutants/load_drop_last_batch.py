"""A load-run mutant: a worker that loses its last batch of history, yet says it sent it
(the shape of a shipping bug: a buffer not flushed at exit). The master must notice that
the counts differ and fail the run. Run: `load --workers 2 --locustfile THIS_FILE`."""

from harness.load import shipping
from harness.load.all_users import *  # noqa: F403  (locust collects the User classes)

_flush = shipping.Shipper.flush


def _flush_losing_the_last(self, final: bool = False, generator=None) -> None:
    if final:
        self.sent += len(self.pending) + len(self.in_flight)  # counted, never sent
        self.pending = []
        self.in_flight.clear()
    _flush(self, final, generator)


shipping.Shipper.flush = _flush_losing_the_last
