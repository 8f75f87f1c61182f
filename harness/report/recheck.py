"""`coupon-acceptance check DIR`: every run kept under DIR (a report folder, a load run's
results, or one run's folder) judged again offline, from its history and the state it
was judged against; prints the violations, and whether they are the ones found then."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..races.kept import KeptRun, run_folders


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="coupon-acceptance check",
        description="Judge kept histories again, offline: no stack, no request.",
    )
    parser.add_argument("folder", type=Path, help="a report folder, a load run's, or a run's")
    options = parser.parse_args(argv)
    folders = run_folders(options.folder)
    if not folders:
        print(
            f"coupon-acceptance check: no kept run (a folder with state.json and history/) "
            f"under {options.folder}",
            file=sys.stderr,
        )
        return 2
    broken = 0
    for folder in folders:
        run = KeptRun.read(folder)
        found = run.judge_again()
        broken += sum(not v.preferred for v in found)
        where = folder.relative_to(options.folder) if folder != options.folder else folder
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
    return 1 if broken else 0
