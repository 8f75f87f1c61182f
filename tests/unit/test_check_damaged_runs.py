"""`coupon-acceptance check` reads each kept run on its own: a damaged one (a history cut
short, a line cut in the middle, a state.json that is not JSON, missing, or of a format it
does not know) is named with its file and line and left out, the rest judged; exit 1 when
a violation is found, 2 when a run could not be read and none violated, 0 otherwise. And
the readers are total: any bytes give operations or a one-line error, never a traceback."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.races.history import CouponState, HistoryError, Operation, read_history
from harness.races.kept import KeptRun, KeptRunError
from harness.report.run_status import FILE as RUN_STATUS
from tests.commands import coupon_acceptance

ROOT = Path(__file__).parents[2]


def claim(user: str, kind: str = "ok", at: float = 0.0) -> Operation:
    return Operation(
        process=0,
        f="claim",
        coupon="C",
        user=user,
        type=kind,
        status=200 if kind == "ok" else 400,
        invoked=at,
        completed=at + 0.1,
    )


def kept(folder: Path, *, oversold: bool = False) -> Path:
    """A run of 50 claims on a stock of 2 (three acknowledged when `oversold`)."""
    winners = ("a", "b", "c") if oversold else ("a", "b")
    history = [claim(user, at=i) for i, user in enumerate(winners)]
    history += [claim(f"u{i}", "fail", at=10 + i) for i in range(50 - len(winners))]
    state = CouponState("C", 2, 2 - len(winners), winners)
    view = {"name": "C", "amount": 2, "remaining_amount": 2 - len(winners), "claimed_by": []}
    view["claimed_by"] = list(winners)
    KeptRun(history, {"C": state}, {"C": view}, []).write(folder)
    return folder


def history_file(folder: Path) -> Path:
    [path] = (folder / "history").iterdir()
    return path


def cut_gzip(folder: Path) -> str:
    path = history_file(folder)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "cut short or not a history file"


def cut_line(folder: Path) -> str:
    path = history_file(folder)
    text = gzip.decompress(path.read_bytes()).decode()
    path.write_bytes(gzip.compress(text[: len(text) - 30].encode()))
    return ":50: not an operation"


def state_not_json(folder: Path) -> str:
    (folder / "state.json").write_text('{"states": {\n  "C": [1, 2\n')
    return "state.json:3: not JSON"


def state_missing(folder: Path) -> str:
    (folder / "state.json").unlink()
    return "state.json: missing"


def state_from_the_future(folder: Path) -> str:
    path = folder / "state.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format": 99}))
    return "format 99, written by a newer harness"


@pytest.mark.parametrize(
    "damage", [cut_gzip, cut_line, state_not_json, state_missing, state_from_the_future]
)
def test_a_damaged_run_is_named_and_the_others_judged(tmp_path: Path, damage) -> None:
    said = damage(kept(tmp_path / "runs" / "damaged"))
    kept(tmp_path / "runs" / "whole")
    judged = coupon_acceptance("check", str(tmp_path))
    assert judged.returncode == 2, judged.stdout + judged.stderr
    assert "Traceback" not in judged.stderr, judged.stderr
    damaged = next(line for line in judged.stdout.splitlines() if line.startswith("runs/damaged"))
    assert "not judged: " in damaged and said in damaged, damaged
    assert "runs/whole: 50 operation(s), 1 coupon(s): 0 violation(s)" in judged.stdout


def test_a_violation_beside_a_damaged_run_is_exit_1(tmp_path: Path) -> None:
    state_not_json(kept(tmp_path / "runs" / "damaged"))
    kept(tmp_path / "runs" / "oversold", oversold=True)
    judged = coupon_acceptance("check", str(tmp_path))
    assert judged.returncode == 1, judged.stdout + judged.stderr
    assert "oversold, 3 claims on a stock of 2" in judged.stdout


def test_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    judged = coupon_acceptance("check", str(tmp_path / "nowhere"))
    assert judged.returncode == 2 and "no such folder" in judged.stderr
    assert "Traceback" not in judged.stderr


def test_a_kept_run_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """state.json is written aside and renamed into place: no partial file is left."""
    kept(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["history", "state.json"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), gzipped=st.booleans())
def test_any_bytes_of_a_history_file_read_as_operations_or_one_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, gzipped: bool
) -> None:
    folder = tmp_path_factory.mktemp("history")
    name = "any.history.jsonl" + (".gz" if gzipped else "")
    (folder / name).write_bytes(gzip.compress(data) if gzipped and data[:1] == b"{" else data)
    try:
        list(read_history(folder))
    except HistoryError as exc:
        assert str(exc).startswith(str(folder / name)) and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(["states", "views", "violations", "C"]), inner)
            ),
            max_leaves=8,
        ).map(json.dumps),
    )
)
def test_any_state_json_reads_as_a_run_or_one_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    folder = tmp_path_factory.mktemp("run")
    (folder / "state.json").write_text(text)
    try:
        KeptRun.read(folder)
    except KeptRunError as exc:
        assert str(exc).startswith(str(folder / "state.json")) and "\n" not in str(exc)


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ('{"status": "interrupted", "pid": 1, "detail": "stopped in check 3 of 9"}', "interrupted"),
        ('{"status": "running", "pid": 999999999}', "killed before it ended"),
        ('{"status": "running", "pid": 1, "host": "elsewhere"}', "the run on elsewhere never"),
        ("{not json", "run-status.json cannot be read"),
        ('{"status": "running"}', "run-status.json cannot be read"),
    ],
)
def test_how_the_run_that_wrote_a_report_ended_is_one_line(
    tmp_path: Path, status: str, said: str
) -> None:
    (tmp_path / RUN_STATUS).write_text(status)
    kept(tmp_path / "runs" / "whole")
    judged = coupon_acceptance("check", str(tmp_path))
    assert judged.returncode == 0 and "Traceback" not in judged.stderr, judged.stderr
    first = judged.stdout.splitlines()[0]
    assert first.startswith(f"{tmp_path}: ") and said in first, judged.stdout
