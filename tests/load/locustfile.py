"""A flash sale under load: many distinct users on one hot coupon, double dippers,
browsers and creators. Run it with `nox -s load`, which also checks the invariants after.

Every claim's answer is written to --history-dir (one JSON-lines file per process), so
the run ends with a full history for the checker, not only totals. Expected rejections
(sold out, already claimed) are successes in locust's stats, named by their status
("claim 400", "claim 409"); 5xx answers and transport errors are failures."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, constant, events, task
from locust.runners import WorkerRunner

_history: list[dict] = []


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("flash sale")
    group.add_argument("--run-id", default="adhoc", help="prefix of every coupon of this run")
    group.add_argument("--hot-stock", type=int, default=1000, help="stock of the hot coupon")
    group.add_argument("--history-dir", default="", help="write each claim's answer here")
    for name, default in (("flash", 20), ("dipper", 2), ("browser", 2), ("creator", 1)):
        group.add_argument(
            f"--{name}-weight",
            type=int,
            default=default,
            help=f"weight of {name} users (default {default})",
        )


@events.init.add_listener
def _weights(environment, **_) -> None:
    options = environment.parsed_options
    if options is None:
        return
    FlashSaleUser.weight = options.flash_weight
    DoubleDipper.weight = options.dipper_weight
    Browser.weight = options.browser_weight
    Creator.weight = options.creator_weight


def hot_coupon(environment) -> str:
    return f"load-{environment.parsed_options.run_id}-hot"


@events.test_start.add_listener
def _create_hot_coupon(environment, **_) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return  # the master (or the single local process) creates it once
    import requests

    response = requests.post(
        f"{environment.host}/api/coupons",
        json={"name": hot_coupon(environment), "amount": environment.parsed_options.hot_stock},
        timeout=10,
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"could not create the hot coupon: {response.status_code} {response.text}"
        )


@events.test_stop.add_listener
def _write_history(environment, **_) -> None:
    folder = environment.parsed_options.history_dir
    if folder and _history:
        path = Path(folder) / f"claims-{os.getpid()}.jsonl"
        with path.open("a") as out:
            out.writelines(json.dumps(entry) + "\n" for entry in _history)
        _history.clear()


class ClaimingUser(HttpUser):
    abstract = True

    def claim(self, user_id: str, coupon: str) -> None:
        invoked = time.monotonic()
        status = None
        with self.client.post(
            "/api/coupons/claim",
            json={"user_id": user_id, "coupon_name": coupon},
            name="claim",
            catch_response=True,
        ) as response:
            status = response.status_code or None
            if status and 200 <= status < 300:
                response.request_meta["name"] = "claim ok"
                response.success()
            elif status and 400 <= status <= 409:
                response.request_meta["name"] = f"claim {status}"
                response.success()  # an expected answer in a flash sale, not a failure
            elif status:
                response.failure(f"claim answered {status}")
            else:
                response.failure(f"claim got no answer: {response.error!r}")
        entry = {
            "process": os.getpid(),
            "user": user_id,
            "coupon": coupon,
            "status": status,
            "invoked": invoked,
            "completed": time.monotonic(),
        }
        if status is None:
            entry["error"] = repr(response.error)  # refused, reset, timed out...
        _history.append(entry)


class FlashSaleUser(ClaimingUser):
    """A crowd of distinct people, each claiming the hot coupon once."""

    wait_time = constant(0)

    @task
    def claim_once(self) -> None:
        self.claim(f"user-{uuid.uuid4().hex[:16]}", hot_coupon(self.environment))


class DoubleDipper(ClaimingUser):
    """One person hammering the hot coupon, hoping for a second unit."""

    wait_time = between(0, 0.05)

    def on_start(self) -> None:
        self.user_id = f"dipper-{uuid.uuid4().hex[:12]}"

    @task
    def claim_again(self) -> None:
        self.claim(self.user_id, hot_coupon(self.environment))


class Browser(HttpUser):
    """Watches the hot coupon's remaining stock."""

    wait_time = between(0, 0.1)

    @task
    def look(self) -> None:
        self.client.get(f"/api/coupons/{hot_coupon(self.environment)}", name="get coupon")


class Creator(HttpUser):
    """Merchants creating small coupons while the sale runs."""

    wait_time = between(0.05, 0.2)

    @task
    def create(self) -> None:
        name = f"load-{self.environment.parsed_options.run_id}-c-{uuid.uuid4().hex[:12]}"
        self.client.post("/api/coupons", json={"name": name, "amount": 5}, name="create coupon")
