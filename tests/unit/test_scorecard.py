"""Verdicts from test outcomes: MUST and SHOULD apart, failures win, skips say why."""

from pathlib import Path

from harness.plugin.scorecard import Scorecard


def test_failure_wins_and_carries_its_evidence() -> None:
    card = Scorecard()
    card.record("claim.already", "t1", "passed")
    card.record("claim.already", "t2", "failed", "got 200, expected 409")
    verdict = card.verdicts["claim.already"]
    assert verdict.status == "FAIL" and "got 200, expected 409 [t2]" in verdict.detail
    assert card.must_unmet == 1


def test_should_rules_are_met_or_not_met_and_never_must_unmet() -> None:
    card = Scorecard()
    card.record("claim.prefer-200", "t", "failed", "answered 201")
    assert card.verdicts["claim.prefer-200"].status == "NOT MET"
    assert card.must_unmet == 0
    assert card.rows("SHOULD")[0].criterion.id == "claim.prefer-200" and card.rows("MUST") == []


def test_all_skipped_is_skip_with_the_reasons_never_pass() -> None:
    card = Scorecard()
    card.record("claim.order", "t", "skipped", "both answer 409")
    assert card.verdicts["claim.order"].status == "SKIP"
    assert card.verdicts["claim.order"].detail == "both answer 409"


def test_markdown_has_a_row_per_criterion() -> None:
    card = Scorecard()
    card.record("health.ok", "t", "passed")
    card.record("get.prefer-commit-order", "t", "failed", "sorted | alphabetically")
    markdown = card.render_markdown("local: test", Path("/work/their-api"))
    assert "Stack: `local: test`" in markdown and "Project: `/work/their-api`" in markdown
    assert "| ✅ PASS | `health.ok` |" in markdown
    assert (
        "| ⚠️ NOT MET | `get.prefer-commit-order` |" in markdown and "sorted \\| alpha" in markdown
    )


def test_cut_short_is_no_pass_and_fails_a_must_but_a_failure_wins() -> None:
    card = Scorecard()
    card.record("races.model", "t1", "passed")
    card.record("races.model", "t2", "cut short", "3 example(s) judged in 61 s")
    verdict = card.verdicts["races.model"]
    assert verdict.status == "CUT SHORT" and "3 example(s) judged in 61 s [t2]" in verdict.detail
    assert card.must_unmet == 1
    card.record("races.model", "t3", "failed", "oversold")
    assert card.verdicts["races.model"].status == "FAIL"
