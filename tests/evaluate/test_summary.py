"""The summary's partial means: beside the strict category mean and average, never in their place."""

from __future__ import annotations

import pytest

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE
from critic_r1_ext.evaluate.summary import _partial, partial_mean


def test_partial_mean_averages_the_members_with_a_value_and_says_why_the_others_have_none():
    entries = {
        "mmstar": {"main": 0.5},
        "mmhal": {"main": NEEDS_JUDGE},
        "hallusionbench": {"main": NEEDS_JUDGE, "stand_in": {"metric": "aAcc_rule_based", "value": 0.8}},
        "realworldqa": {"main": None},
    }
    names = ["mmstar", "mmhal", "hallusionbench", "realworldqa", "blink"]
    partial = partial_mean(names, entries)
    assert partial["value"] == pytest.approx((0.5 + 0.8) / 2)  # the stand-in counts, as in the strict mean
    assert (partial["with_value"], partial["of"]) == (2, 5)
    assert partial["missing"] == {"mmhal": "needs a judge", "realworldqa": "no value", "blink": "not run"}
    assert _partial(partial) == ("65.0 (2 of 5; MMHal-Bench needs a judge; RealWorldQA no value; BLINK not run)")


def test_partial_mean_is_not_shown_when_nothing_is_missing_and_is_blank_when_nothing_has_a_value():
    complete = partial_mean(["mmstar"], {"mmstar": {"main": 0.5}})
    assert complete == {"value": 0.5, "with_value": 1, "of": 1, "missing": {}} and _partial(complete) == ""
    none = partial_mean(["mmhal"], {"mmhal": {"main": NEEDS_JUDGE}})
    assert none["value"] is None and _partial(none) == "— (0 of 1; MMHal-Bench needs a judge)"
