"""The host's steal share, from CPU times whose numbers are known: guest time is not counted
twice, a share above DISTURBED is starred and explained, and a sale names the windows the
hypervisor took from."""

from __future__ import annotations

from collections import namedtuple

from harness.bench.loads import Measurement
from harness.bench.sale import SaleRun, windows_line
from harness.steal import DISTURBED, steal_cell, steal_legend, steal_line, steal_share

Times = namedtuple("Times", "user nice system idle iowait irq softirq steal guest guest_nice")
NoSteal = namedtuple("NoSteal", "user system idle")


def times(user: float, idle: float, steal: float, guest: float = 0.0) -> Times:
    return Times(user, 0.0, 0.0, idle, 0.0, 0.0, 0.0, steal, guest, 0.0)


def test_steal_is_a_share_of_all_time_with_guest_counted_once() -> None:
    before = times(100, 100, 0)
    # 60 s user of which 20 s were a guest's (Linux counts it in user too), 30 idle, 10 stolen.
    after = times(160, 130, 10, guest=20)
    assert steal_share(before, after) == 10 / 100


def test_no_time_passing_is_no_steal() -> None:
    assert steal_share(times(1, 1, 1), times(1, 1, 1)) == 0.0


def test_a_platform_without_steal_says_so() -> None:
    assert steal_share(NoSteal(1, 1, 1), NoSteal(2, 2, 2)) is None
    assert steal_cell(None) == "-"


def test_only_shares_above_disturbed_are_starred_and_explained() -> None:
    assert steal_cell(DISTURBED) == "5.0%"
    assert steal_cell(0.052) == "5.2%*"
    assert steal_legend([0.01, None, DISTURBED]) == ""
    assert "steal over 5%: " in steal_legend([0.01, 0.13])
    assert "steal over 5% in each of 3 tries: " in steal_legend([0.13], tries=3)


def test_a_sale_names_its_disturbed_windows() -> None:
    run = SaleRun(
        1,
        Measurement("API over HTTP", "sale", 64, 0, 1.0, 9.0, 0, 0.04),
        [6000, 5000, 5900],
        [0.01, 0.12, None],
    )
    assert windows_line(run) == (
        "round 1, API over HTTP: 6000 5000 5900; steal over 5% in window 2 (12.0%)"
    )
    calm = SaleRun(1, run.measurement, [6000, 5900], [0.01, 0.02])
    assert windows_line(calm) == "round 1, API over HTTP: 6000 5900"


def test_a_load_run_states_its_share_and_explains_a_disturbed_one() -> None:
    assert steal_line(0.03) == "host: steal 3.0% of the CPU during the run"
    assert steal_line(0.12).startswith("host: steal 12.0% of the CPU during the run (over 5%: ")
    assert steal_line(None) == "host: steal not counted on this platform"
