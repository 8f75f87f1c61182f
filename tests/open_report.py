"""`python -m tests.open_report DIR`: the report page under DIR opened in the browser, as
CI does with the installed command's report of a whole contract run: prints its size and
how long it took to render; exit 1 when the page logged an error or the folder passed 5 MB."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.browser import browser_missing, opened, render_seconds

LIMIT = 5_000_000  # bytes: a report is a CI artifact, read by people


def main(folder: Path) -> int:
    if why := browser_missing():
        print(f"open_report: {why}", file=sys.stderr)
        return 1
    [page_file] = sorted(folder.rglob("index.html"))[-1:] or [None]
    if page_file is None:
        print(f"open_report: no index.html under {folder}", file=sys.stderr)
        return 1
    size = sum(path.stat().st_size for path in page_file.parent.rglob("*") if path.is_file())
    with opened(page_file) as (page, errors):
        rendered = render_seconds(page)
        rows = page.locator("tr.row").count()
    print(
        f"{page_file}: {rows} rows, folder {size / 1e6:.2f} MB, rendered in {rendered:.2f} s, "
        f"{len(errors)} console error(s) {errors[:3] if errors else ''}"
    )
    return 1 if errors or size > LIMIT or not rows else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
