"""`coupon-acceptance`: the contract suite, the compose acceptance run and the load run as
one installed command, usable from any directory (the suite ships in the wheel as the
package `coupon_contract`, built from tests/contract)."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import pytest

COMMANDS = {
    "contract": "the contract suite; by default on the embedded stack (PostgreSQL in a temp "
    "dir, the API from --api-cmd), or on a running one: --api-url URL --dsn DSN",
    "acceptance": "story 1.2 end to end on the compose stack of --project-dir (Docker needed)",
    "load": "a locust flash sale, then the invariants (`load --help`)",
    "bench": "claims/s against pgbench on the same PostgreSQL (`bench --help`)",
    "check": "judge the histories kept in a report (or load run) folder again, offline",
}
EPILOG = """contract, acceptance, load and bench take the same stack options: --stack
{local,compose,external}, --project-dir DIR (default: the current directory), --api-cmd
CMD, --api-url URL (repeatable), --dsn DSN, --instances N, --pg-bin DIR, --compose-file
FILE, --startup-timeout S. contract and acceptance take any pytest option too (--junitxml
FILE, -k EXPR, ...; `contract --help` lists the suite's own under "Flash Sale Coupon API
contract suite"). Exit status: 0 when every MUST holds, 1 when one fails, 2 on a usage
error."""


def command_line() -> argparse.ArgumentParser:
    """The command and its subcommands; each subcommand's own options are parsed by it
    (pytest's for contract and acceptance), so its parser only names it."""
    parser = argparse.ArgumentParser(
        prog="coupon-acceptance",
        description="The Flash Sale Coupon API's acceptance harness and contract suite.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, text in COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("coupon-acceptance")
    except importlib.metadata.PackageNotFoundError:  # a source checkout, not installed
        return "(not installed)"


INTERRUPTED = 130  # a shell's status for a program ended by Ctrl-C

# The modules of the `load` extra each command runs on.
NEEDS_LOAD_EXTRA = {"load": ("locust",), "bench": ("locust", "matplotlib")}


def suite_dir() -> Path:
    """The contract suite: the installed package, or tests/contract of a source checkout."""
    spec = importlib.util.find_spec("coupon_contract")
    if spec and spec.origin:
        return Path(spec.origin).parent
    return Path(__file__).resolve().parents[1] / "tests" / "contract"


def project_dir_of(args: list[str]) -> Path:
    """The --project-dir the arguments name, else the current directory."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    known, _ = parser.parse_known_args(args)
    return known.project_dir.resolve()


def pytest_args(args: list[str], *, compose: bool) -> list[str]:
    """The suite with its own settings (suite.ini), never the caller's pytest configuration;
    rooted at the suite itself, so that a failure names the test file it is in (reports and
    hypothesis' database land in the current directory, as any pytest run's do)."""
    suite = suite_dir()
    project = project_dir_of(args)
    return [
        str(suite),
        "-c",
        str(suite / "suite.ini"),
        f"--rootdir={suite}",
        "-p",
        "no:cacheprovider",
        *(["--stack=compose"] if compose else []),
        f"--project-dir={project}",  # the default made explicit; the caller's wins below
        *args,
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:  # the commands, rather than argparse's one line about a missing one
        command_line().print_help(sys.stderr)
        return 2
    try:
        parsed = command_line().parse_args(args[:1])
    except SystemExit as exit:  # --help, --version, or a usage error argparse has printed
        return int(exit.code or 0)
    command, rest = parsed.command, args[1:]
    if command in ("contract", "acceptance"):
        code = pytest.main(pytest_args(rest, compose=command == "acceptance"))
        # one usage-error status for the four commands, as argparse's
        return 2 if code == pytest.ExitCode.USAGE_ERROR else int(code)
    if command == "check":
        return importlib.import_module("harness.report.recheck").main(rest)
    if missing := [m for m in NEEDS_LOAD_EXTRA[command] if importlib.util.find_spec(m) is None]:
        print(
            f"coupon-acceptance {command} needs the `load` extra (missing: "
            f"{', '.join(missing)}): pip install 'coupon-acceptance[load]'",
            file=sys.stderr,
        )
        return 2
    try:
        return importlib.import_module(f"harness.{command}.__main__").main(rest)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what it started is down already
        print(f"coupon-acceptance {command}: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
