"""The figures the bench prints, from runs whose numbers are known: each ratio is taken
against the baseline of its own round, and a falling sale shows as falling."""

from __future__ import annotations

from harness.bench.generators import GeneratorRun, generators_table
from harness.bench.loads import Measurement
from harness.bench.sale import SaleRun, sale_table


def sale(round_: int, generator: str, windows: list[float]) -> SaleRun:
    return SaleRun(round_, Measurement(generator, "sale", 64, 0, 1.0, 9.0, 0), windows)


def test_a_falling_sale_shows_in_both_trends() -> None:
    falling = sale(1, "API over HTTP", [1600, 700, 560, 460])
    assert round(falling.last_to_first, 2) == 0.29
    assert round(falling.halves, 2) == round((560 + 460) / (1600 + 700), 2)


def test_one_noisy_window_moves_last_to_first_but_not_halves() -> None:
    flat = sale(1, "API over HTTP", [6000, 5000, 5000, 5000, 5000, 4200])
    assert flat.last_to_first < 0.75
    assert 0.85 < flat.halves < 0.95


def test_each_round_is_compared_with_its_own_baseline() -> None:
    runs = [
        sale(1, "pgbench: 3-statement claim", [500, 500]),
        sale(1, "API over HTTP", [5000, 5000]),
        sale(2, "pgbench: 3-statement claim", [1000, 1000]),
        sale(2, "API over HTTP", [5000, 5000]),
    ]
    ratios = [line.split()[-4] for line in sale_table(runs).splitlines()[1:]]
    assert ratios == ["1.00", "10.00", "1.00", "5.00"]


def test_generators_are_compared_with_the_httpuser_run_before_them() -> None:
    runs = [
        GeneratorRun("the API", "HttpUser", 1000, 1.0),
        GeneratorRun("the API", "FastHttpUser", 2500, 0.5),
        GeneratorRun("constant answer", "HttpUser", 2000, 1.0),
        GeneratorRun("constant answer", "FastHttpUser", 3000, 1.0),
    ]
    lines = generators_table(runs).splitlines()
    fast = lines[2].removeprefix("the API").split()
    assert fast[2] == "2.50"  # requests/s against HttpUser's
    assert fast[-2] == "5.00"  # requests per CPU-second against HttpUser's
    fast_on_constant = lines[4].removeprefix("constant answer").split()
    assert fast_on_constant[2] == "1.50"  # against the HttpUser run on its own target
