"""Every command the README gives is run, by CI or by a test: each carries a `# README:`
line with the command, beside the code that runs it (the same command, or its entry point
with shorter run times)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
MARKER = re.compile(r"#\s*README:\s*(.+?)(?:\s+#\s*noqa\b.*)?$", re.MULTILINE)


def readme_commands() -> list[str]:
    """The commands of the README's bash blocks, continuation lines joined, comments and
    `cd` left out."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(), re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#\s.*$", "", command).strip()
            if command and not command.startswith(("#", "cd ")):
                commands.append(" ".join(command.split()))
    return commands


def marked_commands() -> set[str]:
    """What the `# README:` lines in CI and the tests say they run."""
    files = [ROOT / ".ci" / "run", *sorted((ROOT / "tests").rglob("*.py"))]
    return {
        " ".join(match.group(1).split())
        for file in files
        for match in MARKER.finditer(file.read_text())
    }


def test_every_readme_command_is_run_by_ci_or_a_test() -> None:
    commands = readme_commands()
    assert len(commands) >= 10, commands  # the parser found the blocks
    unrun = [command for command in commands if command not in marked_commands()]
    assert not unrun, (
        "README commands no test or CI step says it runs (add a `# README: <command>` "
        f"line beside the code that runs it): {unrun}"
    )


def test_the_readme_is_a_guide_not_a_notebook() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= 350, f"README has {len(lines)} lines; measurements go to docs/"
    dated = [line for line in lines if re.search(r"\b20\d\d-\d\d-\d\d\b", line)]
    assert not dated, f"dated measurements belong in docs/performance.md: {dated}"


def test_each_marker_in_ci_stands_beside_the_command_it_names() -> None:
    """A `# README:` line in .ci/run is only as good as the line after it: the next command
    (comments and other markers skipped) holds the marked command's program and words."""
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    wrong = []
    for number, line in enumerate(lines):
        if not (marker := MARKER.search(line)) or not line.lstrip().startswith("#"):
            continue
        following = next(
            (later for later in lines[number + 1 :] if not later.lstrip().startswith("#")), ""
        )
        words = [w for w in marker.group(1).split()[:3] if re.fullmatch(r"[A-Za-z][\w.-]*", w)]
        if not all(word in following for word in words):
            wrong.append(f".ci/run:{number + 1}: {marker.group(1)!r} beside {following.strip()!r}")
    assert not wrong, wrong
