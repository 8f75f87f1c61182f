"""`coupon-acceptance check DIR`: every run kept under DIR (a report folder, a load run's
results, or one run's folder) judged again offline, from its history and the state it
was judged against; prints the violations, and whether they are the ones found then."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..races.kept import KeptRun, KeptRunError, run_folders
from .run_status import how_it_ended


def main(argv: list[str]) -> int:
    """Exit 1 when a violation is found, 2 when a run could not be read (and none
    violated), 0 otherwise; each run is read on its own, a damaged one named and left out."""
    parser = argparse.ArgumentParser(
        prog="coupon-acceptance check",
        description="Judge kept histories again, offline: no stack, no request.",
    )
    parser.add_argument(
        "folder", type=existing_folder, help="a report folder, a load run's, or a run's"
    )
    options = parser.parse_args(argv)
    if ended := how_it_ended(options.folder):
        print(f"{options.folder}: {ended}")
    folders = run_folders(options.folder)
    if not folders:
        print(
            f"coupon-acceptance check: no kept run (a folder with state.json and history/) "
            f"under {options.folder}",
            file=sys.stderr,
        )
        return 2
    broken = unread = 0
    for folder in folders:
        where = folder.relative_to(options.folder) if folder != options.folder else folder
        try:
            run = KeptRun.read(folder)
        except KeptRunError as exc:
            unread += 1
            print(f"{where}: not judged: {exc}")
            continue
        found = run.judge_again()
        broken += sum(not v.preferred for v in found)
        print(
            f"{where}: {len(run.history)} operation(s), {len(run.states)} coupon(s): "
            f"{len(found)} violation(s)"
        )
        for violation in found:
            print(f"  {violation}")
        then = [v.message for v in run.violations]
        if [str(v) for v in found] == then:
            if found:
                print("  (the same as when the run was judged)")
        else:
            print("  differs from when the run was judged, which found:")
            for text in then or ["no violation"]:
                print(f"    {text}")
    if unread:
        print(f"{unread} of {len(folders)} run(s) could not be read, and were not judged")
    return 1 if broken else 2 if unread else 0


def existing_folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: no such folder")
    return path
