"""`contract`, `load` and `bench` take the same stack options, read into a StackSpec the
same way; `load --host` is still understood, with a deprecation message."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.bench.__main__ import parse_args as bench_args
from harness.load.__main__ import parse_args as load_args
from harness.load.__main__ import spec_of as load_spec
from harness.plugin.options import add_options
from harness.stacks.options import STACK_OPTIONS


def stack_actions(parser: argparse.ArgumentParser) -> dict[str, tuple]:
    """Each stack option as the parser holds it: its destination, action, type, choices."""
    names = {name for name, _ in STACK_OPTIONS}
    return {
        option: (action.dest, type(action).__name__, action.type, action.choices)
        for action in parser._actions  # argparse keeps no public list of them
        for option in action.option_strings
        if option in names
    }


def suite_parser() -> argparse.ArgumentParser:
    """The suite's options added as pytest adds them: pytest hands each `addoption`'s
    arguments to argparse as they are."""
    parser = argparse.ArgumentParser()

    class AsPytest:
        def getgroup(self, name: str, description: str = ""):
            group = parser.add_argument_group(description)
            group.addoption = group.add_argument
            return group

    add_options(AsPytest())
    return parser


def parser_of(parse) -> argparse.ArgumentParser:
    """The argparse parser a command's `parse_args` builds, caught as it parses."""
    seen = []
    original = argparse.ArgumentParser.parse_known_args

    def catch(self, *args, **kwargs):
        seen.append(self)
        return original(self, *args, **kwargs)

    argparse.ArgumentParser.parse_known_args = catch
    try:
        parse([])
    finally:
        argparse.ArgumentParser.parse_known_args = original
    return seen[0]


def test_the_three_commands_take_the_same_stack_options() -> None:
    suite = stack_actions(suite_parser())
    assert sorted(suite) == sorted(name for name, _ in STACK_OPTIONS)
    assert stack_actions(parser_of(load_args)) == suite
    assert stack_actions(parser_of(bench_args)) == suite


def test_api_url_alone_means_the_external_stack() -> None:
    options, _ = load_args(["--api-url", "http://127.0.0.1:1/", "--dsn", "postgresql://x"])
    spec = load_spec(options)
    assert (spec.kind, spec.api_urls, spec.dsn) == (
        "external",
        ("http://127.0.0.1:1",),
        "postgresql://x",
    )


def test_load_host_is_a_deprecated_alias(capsys) -> None:
    options, _ = load_args(["--host", "http://127.0.0.1:1", "--dsn", "postgresql://x"])
    assert load_spec(options).api_urls == ("http://127.0.0.1:1",)
    assert "--host is deprecated: use --api-url" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--stack", "external", "--dsn", "postgresql://x"], "missing: --api-url"),
        (["--api-url", "http://127.0.0.1:1"], "missing: --dsn"),
        (["--stack", "local", "--api-url", "http://127.0.0.1:1"], "--api-url is for"),
        (["--instances", "0"], "argument --instances: 0: at least 1"),
    ],
)
def test_impossible_stacks_are_usage_errors(argv, message, capsys) -> None:
    for parse in (load_args, bench_args):
        with pytest.raises(SystemExit) as stopped:
            parse(argv)
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err


def test_bench_refuses_a_stack_it_cannot_start_fresh(capsys) -> None:
    with pytest.raises(SystemExit):
        bench_args(["--api-url", "http://127.0.0.1:1", "--dsn", "postgresql://x"])
    assert "bench measures stacks it starts itself" in capsys.readouterr().err


def test_project_dir_defaults_to_the_current_directory(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    options, _ = load_args([])
    assert load_spec(options).project_dir == tmp_path.resolve()
