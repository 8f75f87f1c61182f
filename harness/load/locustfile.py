"""A flash sale under load: many distinct users on one hot coupon, double dippers,
browsers and creators. `nox -s load` runs it (tests/load/locustfile.py imports this) and
then checks the invariants.

Every claim's answer is kept as an operation of the run's history (harness/races/history.py)
and shipped to the master over locust's own messages while the run goes (shipping.py): the
master writes one history file per worker in --history-dir, so the run ends with a full
history for the checker, not only totals, with workers on any host and no shared disk.
Expected rejections (sold out, already claimed) are successes in locust's stats, named by
their status ("claim 400", "claim 409"); 5xx answers and transport errors are failures."""

from __future__ import annotations

import itertools
import os
import time
import uuid
from pathlib import Path

import gevent
import requests
from locust import FastHttpUser, between, constant, events, task
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

from harness.load.generator import GeneratorFigures
from harness.load.options import hot_coupon_name
from harness.load.shipping import (
    FINISH,
    FLUSH_EVERY,
    LAST_BATCH_WAIT,
    MESSAGE,
    Collector,
    Shipper,
)

# Absolute imports: locust loads this file by its path, as a module of its own.
from harness.races.calibration import learn_claim_statuses
from harness.races.client import ApiClient
from harness.races.statuses import StatusMap, claim_operation

_statuses: list[StatusMap] = []  # this process's reading of the API's rejection statuses
_generator = GeneratorFigures()  # what this locust process sent, and the CPU it took
_shipping: dict[str, object] = {}  # "shipper", "flusher" (this process), "collector" (master)


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("flash sale")
    group.add_argument("--run-id", default="adhoc", help="prefix of every coupon of this run")
    group.add_argument("--hot-stock", type=int, default=1000, help="stock of the hot coupon")
    group.add_argument(
        "--history-dir",
        default="",
        help="the master writes every worker's history here (history/, workers.json)",
    )
    group.add_argument(
        "--api-hosts",
        default="",
        help="base URLs of the API's instances, comma-separated: users are spread over them "
        "(default: --host alone)",
    )
    group.add_argument(
        "--claim-statuses",
        default="",
        help="the API's statuses for already claimed, out of stock and unknown coupon, "
        "e.g. 409,400,404 (default: learned by asking the API at the start)",
    )
    group.add_argument(
        "--arrival-rate",
        type=float,
        default=0.0,
        help="open model (arrivals.py): this process sends claims at this fixed rate (per "
        "second), answered or not",
    )
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


@events.init.add_listener
def _collect(environment, **_) -> None:
    """The master (or the one local process) receives every process's history; a worker
    stops (and ships its last batch) when the master says the run is over."""
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(FINISH, lambda environment, **_: gevent.spawn(runner.stop))
        return
    folder = environment.parsed_options.history_dir if environment.parsed_options else ""
    if runner is None or not folder:
        return  # nowhere to write: locust run by hand, without --history-dir
    collector = Collector(Path(folder))
    _shipping["collector"] = collector
    runner.register_message(
        MESSAGE, lambda environment, msg, **_: collector.receive(msg.node_id, msg.data)
    )


def worker_tag(environment) -> str:
    """What this process's user ids carry, so that the master can tell them apart."""
    runner = environment.runner
    return f"w{runner.worker_index}" if isinstance(runner, WorkerRunner) else "l"


def process_number(environment) -> int:
    """Unique across the workers' hosts, whose process ids may collide."""
    runner = environment.runner
    index = runner.worker_index + 1 if isinstance(runner, WorkerRunner) else 0
    return index * 10_000_000 + os.getpid()


def hot_coupon(environment) -> str:
    return hot_coupon_name(environment.parsed_options.run_id)


@events.request.add_listener
def _count(**_) -> None:
    _generator.requests += 1


@events.test_start.add_listener
def _prepare(environment, **_) -> None:
    _generator.start()
    runner, options = environment.runner, environment.parsed_options
    if not isinstance(runner, MasterRunner):
        # without --history-dir (locust run by hand) the history goes nowhere
        send = (lambda data: runner.send_message(MESSAGE, data)) if options.history_dir else None
        shipper = Shipper(worker_tag(environment), send or (lambda data: None))
        _shipping["shipper"] = shipper
        _shipping["flusher"] = gevent.spawn(_flush_every, shipper)
    if options.claim_statuses:
        _statuses[:] = [StatusMap.from_option(options.claim_statuses)]
    else:
        api = ApiClient(environment.host)
        prefix = f"load-{options.run_id}-{os.getpid()}"
        _statuses[:] = [learn_claim_statuses(api, lambda what: f"{prefix}-{what}")]
    if isinstance(environment.runner, WorkerRunner):
        return  # the master (or the single local process) creates the hot coupon once
    response = requests.post(
        f"{environment.host}/api/coupons",
        json={"name": hot_coupon(environment), "amount": options.hot_stock},
        timeout=10,
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"could not create the hot coupon: {response.status_code} {response.text}"
        )


def _await_last_batches(runner: MasterRunner, collector: Collector) -> set[str]:
    """Until every worker still connected has sent its last batch (the master may stop
    before they do), for LAST_BATCH_WAIT seconds at most; one that went missing never
    will, and the summary says so. Returns the workers still connected."""
    deadline = time.monotonic() + LAST_BATCH_WAIT
    while True:
        finished = {log.node for log in collector.workers.values() if log.finished}
        connected = {node.id for node in runner.clients.all if node.state != STATE_MISSING}
        if connected <= finished or time.monotonic() > deadline:
            return connected
        gevent.sleep(0.1)


def _flush_every(shipper: Shipper) -> None:
    while True:
        gevent.sleep(FLUSH_EVERY)
        shipper.flush()


@events.test_stop.add_listener
def _ship_the_rest(environment, **_) -> None:
    """The last batch with the totals (a worker's goes before it tells the master it has
    stopped, so the master has it when its own test_stop comes); then, on the master, the
    summary of what each worker sent."""
    if flusher := _shipping.pop("flusher", None):
        flusher.kill()
    if shipper := _shipping.pop("shipper", None):
        figures = _generator.stop() if _generator.requests else None
        shipper.flush(final=True, generator=figures and figures.as_dict())
    if collector := _shipping.get("collector"):
        connected = set()
        if isinstance(environment.runner, MasterRunner):
            # At --run-time's end the master stops without telling the workers (they hear
            # "quit" after this): tell them, and wait for what they still have.
            environment.runner.send_message(FINISH)
            connected = _await_last_batches(environment.runner, collector)
        collector.write_summary(connected)


_user_number = itertools.count()


class SpreadUser(FastHttpUser):
    """A user bound to one instance of the API, the next in turn (--api-hosts). On
    FastHttpUser (geventhttpclient): one locust process sends about twice what HttpUser
    (requests) can, so the generator is less often what limits a run."""

    abstract = True

    def __init__(self, environment) -> None:
        hosts = [h for h in environment.parsed_options.api_hosts.split(",") if h]
        if hosts:
            self.host = hosts[next(_user_number) % len(hosts)]
        super().__init__(environment)


class ClaimingUser(SpreadUser):
    abstract = True

    def claim(self, user_id: str, coupon: str, due: float | None = None) -> None:
        """One claim, into locust's stats and the history; `due` (monotonic) is when an
        open-model claim was to be sent: its time counts from then."""
        invoked = due or time.monotonic()
        error = None
        shipper: Shipper = _shipping["shipper"]
        pending = claim_operation(
            process=process_number(self.environment),
            user=user_id,
            coupon=coupon,
            status=None,
            invoked=invoked,
            completed=invoked,
            statuses=_statuses[0],
            error="in flight",
        )
        shipper.in_flight[id(pending)] = pending
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
                error = repr(response.error)  # refused, reset, timed out...
                response.failure(f"claim got no answer: {error}")
            if due is not None:
                response.request_meta["response_time"] = (time.monotonic() - due) * 1000
        del shipper.in_flight[id(pending)]
        shipper.pending.append(
            claim_operation(
                process=pending.process,
                user=user_id,
                coupon=coupon,
                status=status,
                invoked=invoked,
                completed=time.monotonic(),
                statuses=_statuses[0],
                error=error,
            )
        )


class FlashSaleUser(ClaimingUser):
    """A crowd of distinct people, each claiming the hot coupon once."""

    wait_time = constant(0)

    @task
    def claim_once(self) -> None:
        tag = worker_tag(self.environment)
        self.claim(f"user-{tag}-{uuid.uuid4().hex[:16]}", hot_coupon(self.environment))


class DoubleDipper(ClaimingUser):
    """One person hammering the hot coupon, hoping for a second unit."""

    wait_time = between(0, 0.05)

    def on_start(self) -> None:
        self.user_id = f"dipper-{worker_tag(self.environment)}-{uuid.uuid4().hex[:12]}"

    @task
    def claim_again(self) -> None:
        self.claim(self.user_id, hot_coupon(self.environment))


class Browser(SpreadUser):
    """Watches the hot coupon's remaining stock."""

    wait_time = between(0, 0.1)

    @task
    def look(self) -> None:
        self.client.get(f"/api/coupons/{hot_coupon(self.environment)}", name="get coupon")


class Creator(SpreadUser):
    """Merchants creating small coupons while the sale runs."""

    wait_time = between(0.05, 0.2)

    @task
    def create(self) -> None:
        name = f"load-{self.environment.parsed_options.run_id}-c-{uuid.uuid4().hex[:12]}"
        self.client.post("/api/coupons", json={"name": name, "amount": 5}, name="create coupon")
