"""A bad option value is a usage error naming the option, before anything starts: exit 2
and no traceback, for every command (the stack options are checked as they are parsed,
harness/stacks/option_types.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commands import coupon_acceptance

ROOT = Path(__file__).parents[2]

BAD_STACK_OPTIONS = [
    ("--project-dir=/nonexistent/dir", "no such folder"),
    ("--api-url=not a url", "not an API's base URL"),
    ("--api-url=http://127.0.0.1:port", "not a URL"),
    ("--dsn=host=x =", "not a DSN libpq reads"),
    ("--instances=0", "at least 1"),
    ("--pg-bin=/nonexistent/bin", "no such folder"),
    ("--compose-file=/nonexistent.yml", "no such file"),
    ("--startup-timeout=-5", "a number above 0"),
]
BAD_SUITE_OPTIONS = [
    ("--answer-within=-1", "a number above 0"),
    ("--answer-within=nan", "not a finite number"),
    ("--check-budget=soon", "not a number"),
    ("--run-budget=-1", "0 for no limit"),
    ("--big-coupon=0", "at least 1"),
]


@pytest.mark.parametrize(
    ("name", "option", "said"),
    [
        *(("contract", option, said) for option, said in BAD_STACK_OPTIONS + BAD_SUITE_OPTIONS),
        *(("load", option, said) for option, said in BAD_STACK_OPTIONS),
        ("load", "--results=/etc/hostname", "a file, not a folder"),
        *(("bench", option, said) for option, said in BAD_STACK_OPTIONS[:3]),
        ("check", "/nonexistent/report", "no such folder"),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_the_option(name: str, option: str, said: str) -> None:
    result = coupon_acceptance(name, option)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    assert said in output and "Traceback" not in output, output[-2000:]
    flag = option.split("=")[0]
    assert flag in output or name == "check", output[-2000:]
