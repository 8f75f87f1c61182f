"""The story's own compose file and Go Dockerfile (tests/fixtures/go-story) pass every
static check, the Go-only ones included: the suite expects what the story expects."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_story_patterns_pass_static_checks(tmp_path: Path) -> None:
    scorecard = tmp_path / "scorecard.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/contract",
            "-m",
            "static",
            "-p",
            "no:cacheprovider",
            f"--project-dir={ROOT / 'tests' / 'fixtures' / 'go-story'}",
            f"--scorecard-json={scorecard}",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    verdicts = json.loads(scorecard.read_text())
    assert result.returncode == 0, result.stdout[-3000:]
    assert verdicts["1.2-AC3.cgo"]["status"] == "PASS", verdicts["1.2-AC3.cgo"]
    not_passed = {k: v for k, v in verdicts.items() if v["status"] not in ("PASS", "MET")}
    # 1.2-AC2.valid is skipped where `docker compose` is missing; the story's runtime stage
    # has no USER, which the suite reports as a preferred rule not met.
    allowed = {"1.2-AC2.valid", "security.non-root"}
    assert set(not_passed) <= allowed, not_passed
