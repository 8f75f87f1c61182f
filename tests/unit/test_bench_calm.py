"""The bench's second try for a disturbed figure, from tries whose steal is known: a calm
first try is the only one, a disturbed one is measured again until calm or out of tries,
the calmest is kept whatever its figure, and the tries set aside are listed."""

from __future__ import annotations

from collections.abc import Iterator

from harness.bench.calm import SetAside, measure_calmly
from harness.bench.generators import GeneratorRun
from harness.bench.loads import Measurement
from harness.bench.sale import SaleRun


def tries(*shares: float | None) -> Iterator[Measurement]:
    """Measurements of the hot row, the n-th try giving n * 1000 claims/s at its share."""
    for number, share in enumerate(shares, 1):
        yield Measurement("API over HTTP", "hot", 64, number * 1000.0, 10.0, 20.0, 0, share)


def calmly(*shares: float | None, allowed: int = 3) -> tuple[Measurement, list[Measurement]]:
    taken = tries(*shares)
    said: list[str] = []
    aside: list[Measurement] = []
    kept = measure_calmly(
        "hot", lambda: next(taken), lambda m: m.steal, allowed, aside, said.append
    )
    assert len(said) == len(aside)  # each try again is announced
    return kept, aside


def test_a_calm_try_is_the_only_one() -> None:
    kept, aside = calmly(0.01, 0.0)
    assert kept.claims_per_s == 1000
    assert aside == []


def test_a_disturbed_try_is_measured_again_until_one_is_calm() -> None:
    kept, aside = calmly(0.12, 0.02, 0.0)
    assert kept.claims_per_s == 2000
    assert [m.claims_per_s for m in aside] == [1000]


def test_out_of_tries_the_calmest_is_kept_not_the_fastest() -> None:
    kept, aside = calmly(0.08, 0.20, 0.06, 0.0)
    assert (kept.claims_per_s, kept.steal) == (3000, 0.06)
    assert [m.claims_per_s for m in aside] == [1000, 2000]


def test_one_try_allowed_is_the_old_bench() -> None:
    kept, aside = calmly(0.30, 0.0, allowed=1)
    assert (kept.claims_per_s, aside) == (1000, [])


def test_no_steal_counted_is_no_reason_to_measure_again() -> None:
    kept, aside = calmly(None, 0.0)
    assert (kept.claims_per_s, aside) == (1000, [])


def test_the_tries_set_aside_are_listed_with_their_figures() -> None:
    measurement, sale_measurement = (
        Measurement("pgbench: 3-statement claim", "spread", 64, 2100.4, 9.0, 31.25, 0, 0.153),
        Measurement("API over HTTP", "sale", 64, 0, 9.0, 33.0, 0, 0.1),
    )
    generator = GeneratorRun("the API", "FastHttpUser", 2199.4, 0.84, 0.061)
    note = SetAside([SaleRun(1, sale_measurement, [5000, 5704])], [measurement], [generator]).note()
    assert note.splitlines()[1:] == [
        "measured again, steal over 5% (set aside, not in the tables above):",
        "  sale, round 1, API over HTTP: mean 5352 claims/s, p99 33.0 ms, steal 10.0%*",
        "  spread, 64 clients, pgbench: 3-statement claim: 2100 claims/s, p99 31.2 ms, "
        "steal 15.3%*",
        "  generators, FastHttpUser, the API: 2199 requests/s, steal 6.1%*",
    ]
    assert not SetAside([], [], [])
