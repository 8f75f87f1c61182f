"""Histories over locust's own messages, so that workers on other hosts need no shared disk.

Each locust process (a worker, or the one local process) ships what its users recorded
to the master in batches while the run goes: one message a second, the operations as
JSON lines compressed with zlib, with the requests still in flight and a sequence number;
at the end a last batch carrying the totals it sent. The master writes each worker's
operations to a history file of its own as they arrive and, once the run stops, a
summary per worker (workers.json): how many operations and bytes came, how many the
worker said it sent, and whether it reported to the end. A worker killed mid-run never
sends its totals: the summary names it, with the requests it had in flight at its last
batch, which the run counts as unknown."""

from __future__ import annotations

import dataclasses
import json
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.load.generator import GeneratorFigures
from harness.races.history import HistoryFile, Operation

MESSAGE = "coupon_history"  # a worker's batch, to the master
FINISH = "coupon_finish"  # the master's word that the run is over, to every worker
SUMMARY = "workers.json"
FLUSH_EVERY = 1.0  # seconds between batches: a long run never holds its history in memory
LAST_BATCH_WAIT = 30.0  # seconds the master waits, once stopped, for the workers' last batches


def this_clock() -> str:
    """Which monotonic clock this process reads: the host's boot, where Linux says."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def pack(operations: list[Operation]) -> bytes:
    return zlib.compress("".join(op.to_json() + "\n" for op in operations).encode(), 6)


def unpack(payload: bytes) -> list[Operation]:
    return [Operation.from_json(line) for line in zlib.decompress(payload).decode().splitlines()]


class Shipper:
    """A locust process's side: operations recorded, batched, handed to `send`."""

    def __init__(self, worker: str, send) -> None:
        self.worker = worker  # the tag its users' ids carry
        self.send = send  # send(data): runner.send_message(MESSAGE, data)
        self.pending: list[Operation] = []
        self.in_flight: dict[int, Operation] = {}  # by id(), the requests not yet answered
        self.sequence = 0
        self.sent = 0

    def flush(self, final: bool = False, generator: dict[str, float] | None = None) -> None:
        """One batch; the last one also carries the requests still unanswered (cut off by
        the run's end: they may have happened), as unknown, and what this process sent
        and the CPU it took (`generator`)."""
        batch, self.pending = self.pending, []
        if final:
            now = time.monotonic()
            batch += [dataclasses.replace(op, completed=now) for op in self.in_flight.values()]
            self.in_flight.clear()
        if not batch and not final:
            return
        self.sequence += 1
        self.sent += len(batch)
        data: dict[str, Any] = {
            "worker": self.worker,
            "sequence": self.sequence,
            "operations": pack(batch),
            "in_flight": pack(list(self.in_flight.values())),
            "clock": this_clock(),
            "sent_at": time.monotonic(),
        }
        if final:
            data["final"] = {"operations": self.sent, "batches": self.sequence}
            data["generator"] = generator
        self.send(data)


@dataclass
class WorkerLog:
    """What the master received from one worker."""

    worker: str
    node: str  # locust's id of the worker process (host_uuid)
    operations: int = 0
    batches: int = 0
    bytes: int = 0
    declared: dict[str, int] | None = None  # the final batch's totals; None: never came
    in_flight: list[str] = field(default_factory=list)  # at its last batch, as JSON lines
    # Seconds to add to its clock to read the master's: 0 on the same host (one monotonic
    # clock), else the least (arrival - sending) of its batches, which errs by the least
    # one-way delay.
    offset: float | None = None
    # Still connected when the run ended (locust's heartbeats): one that never sent its
    # last batch then lost it, rather than died.
    connected_at_end: bool = False

    @property
    def finished(self) -> bool:
        return self.declared is not None

    @property
    def complete(self) -> bool:
        """It reported to the end, and everything it said it sent arrived."""
        return self.declared is not None and self.declared["operations"] == self.operations


class Collector:
    """The master's side: each batch written as it arrives, the summary at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workers: dict[str, WorkerLog] = {}
        self.clock = this_clock()

    def file_of(self, log: WorkerLog) -> HistoryFile:
        return HistoryFile(self.folder / "history", f"worker-{log.worker}")

    def receive(self, node: str, data: dict[str, Any]) -> None:
        log = self.workers.setdefault(data["worker"], WorkerLog(data["worker"], node))
        operations = unpack(data["operations"])
        self.file_of(log).write(operations)
        log.operations += len(operations)
        log.batches += 1
        log.bytes += len(data["operations"]) + len(data["in_flight"])
        log.in_flight = [op.to_json() for op in unpack(data["in_flight"])]
        sample = 0.0 if data["clock"] and data["clock"] == self.clock else None
        if sample is None:
            sample = time.monotonic() - data["sent_at"]
        log.offset = sample if log.offset is None else min(log.offset, sample)
        if "final" in data:
            log.declared = data["final"]
        if data.get("generator"):
            GeneratorFigures(**data["generator"]).write(self.folder / "generators", log.worker)

    def write_summary(self, connected: set[str] = frozenset()) -> None:
        """The summary, and each worker's history on the master's clock; `connected`: the
        locust ids of the workers still connected."""
        for log in self.workers.values():
            log.connected_at_end = log.node in connected
        for log in self.workers.values():
            if log.offset:
                self.align(log)
        summary = [asdict(log) for log in self.workers.values()]
        (self.folder / SUMMARY).write_text(json.dumps(summary, indent=1))

    def align(self, log: WorkerLog) -> None:
        path = self.file_of(log).path
        shifted = [
            dataclasses.replace(
                op, invoked=op.invoked + log.offset, completed=op.completed + log.offset
            )
            for op in map(Operation.from_json, path.read_text().splitlines())
        ]
        path.unlink()
        self.file_of(log).write(shifted)
        log.in_flight = [
            dataclasses.replace(op, invoked=op.invoked + log.offset).to_json()
            for op in map(Operation.from_json, log.in_flight)
        ]


def read_summary(folder: Path) -> list[WorkerLog]:
    path = folder / SUMMARY
    if not path.exists():
        return []
    return [WorkerLog(**entry) for entry in json.loads(path.read_text())]
