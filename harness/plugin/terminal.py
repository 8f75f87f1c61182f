"""Lines for the person watching the run."""

from __future__ import annotations

import pytest


def say(config: pytest.Config, line: str) -> None:
    """A line on the terminal now, even from inside a test whose output is captured."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None:
        return
    if capture is None:
        terminal.write_line(line)
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(line)
