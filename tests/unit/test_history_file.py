"""The history file: what one process writes, any other reads back the same."""

from __future__ import annotations

from pathlib import Path

from harness.races.history import HistoryFile, Operation, Reason, read_history


def test_operations_round_trip_through_the_files(tmp_path: Path) -> None:
    claimed = Operation(
        process=7,
        f="claim",
        coupon="PROMO",
        user="ana",
        type="fail",
        reasons=(Reason.OUT_OF_STOCK, Reason.ALREADY_CLAIMED),
        status=400,
        invoked=1.25,
        completed=1.5,
    )
    lost = Operation(
        process=8,
        f="claim",
        coupon="PROMO",
        user="ben",
        type="info",
        status=None,
        invoked=2.0,
        completed=17.0,
        error="ReadTimeout()",
    )
    created = Operation(
        process=7,
        f="create",
        coupon="PROMO",
        amount=5,
        type="ok",
        status=201,
        invoked=0,
        completed=1,
    )
    HistoryFile(tmp_path, "first").write([created, claimed])
    HistoryFile(tmp_path, "second").write([lost])
    HistoryFile(tmp_path, "first").write([])  # appending nothing keeps what is there
    assert sorted(read_history(tmp_path), key=lambda op: op.invoked) == [created, claimed, lost]


def test_files_of_other_runs_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a history\n")
    assert list(read_history(tmp_path)) == []


def test_a_gzipped_history_reads_as_a_plain_one(tmp_path) -> None:
    op = Operation(
        process=1,
        f="claim",
        coupon="c",
        user="u",
        type="ok",
        status=200,
        invoked=1.0,
        completed=2.0,
    )
    HistoryFile(tmp_path, "kept", gzipped=True).write([op])
    HistoryFile(tmp_path, "plain").write([op])
    assert (tmp_path / "kept.history.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert list(read_history(tmp_path)) == [op, op]
