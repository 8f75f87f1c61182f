"""What each locust process sent and the CPU it used: a load run whose generator sat at a
full core measured the generator, not the API, and says so."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BUSY = 0.9  # of one core: a locust process (one thread of gevent) is saturated above this


@dataclass
class GeneratorFigures:
    pid: int = 0
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # share of one core used while the test ran
    _began: tuple[float, float] = (0.0, 0.0)

    def start(self) -> None:
        self.pid, self.requests = os.getpid(), 0
        self._began = (time.monotonic(), time.process_time())

    def stop(self) -> GeneratorFigures:
        wall, cpu = time.monotonic() - self._began[0], time.process_time() - self._began[1]
        self.seconds, self.cpu = wall, cpu / wall if wall else 0.0
        return self

    def as_dict(self) -> dict[str, float]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def write(self, folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"locust-{name}.json").write_text(json.dumps(self.as_dict()))

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def read_generators(folder: Path) -> list[GeneratorFigures]:
    return [
        GeneratorFigures(**json.loads(path.read_text()))
        for path in sorted(folder.glob("locust-*.json"))
    ]


def bottleneck(generators: list[GeneratorFigures]) -> str:
    """One line per locust process, then which side limited the run."""
    lines = [
        f"locust process {g.pid}: {g.rate:,.0f} requests/s, CPU {g.cpu:.0%} of a core"
        for g in generators
    ]
    if not generators:
        return "no locust process reported its figures"
    busiest = max(generators, key=lambda g: g.cpu)
    if busiest.cpu >= BUSY:
        lines.append(
            f"bottleneck: the load generator (process {busiest.pid} at {busiest.cpu:.0%} "
            f"CPU): latencies include locust's own queueing; add --workers N"
        )
    else:
        lines.append(
            f"bottleneck: not the load generator (its busiest process at {busiest.cpu:.0%} "
            f"CPU): the figures are the API's"
        )
    return "\n".join(lines)
