"""The open model of a flash sale: `nox -s load -- --arrival-rate R` runs this file in
place of the user mix of locustfile.py, whose options, statuses and history it shares."""

from __future__ import annotations

import time
import uuid

import gevent
from gevent.pool import Group
from locust import constant, task

# Absolute imports: locust loads this file by its path, as a module of its own.
from harness.load.locustfile import ClaimingUser, hot_coupon, worker_tag


class SteadyArrivals(ClaimingUser):
    """The open model (--arrival-rate): distinct users' claims on the hot coupon, sent on a
    fixed schedule, each in a greenlet of its own, whether or not earlier ones were
    answered. Each claim's time counts from when it was due, so one that could not be sent
    on time (every connection busy, the API slow) shows in the percentiles: no coordinated
    omission."""

    concurrency = 256  # connections this user may hold open at once
    wait_time = constant(0)

    def on_start(self) -> None:
        self.in_flight = Group()

    def on_stop(self) -> None:
        self.in_flight.kill(block=False)

    @task
    def arrive(self) -> None:
        interval = 1 / self.environment.parsed_options.arrival_rate
        due = time.monotonic()
        while True:
            due += interval
            gevent.sleep(max(0.0, due - time.monotonic()))
            user = f"user-{worker_tag(self.environment)}-{uuid.uuid4().hex[:16]}"
            self.in_flight.spawn(self.claim, user, hot_coupon(self.environment), due)
