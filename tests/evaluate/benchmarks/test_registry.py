"""The registry: every benchmark module found, complete, with fixture rows, and scorers that never raise."""

from __future__ import annotations

import pytest
from benchmark_rows import fixture_writers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critic_r1_ext.evaluate.benchmarks import CATEGORIES, NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.critic import judgment_fields
from critic_r1_ext.evaluate.scoring import score

NAMES = sorted(REGISTRY)
LATEX = st.sampled_from(
    [r"\boxed{", "}", r"\frac{1}{2}", r"\text{A}", "$", r"\left(", r"\right)", "{,}", r"\,", "−", "A.", "(B)", "1,000"]
    + ["</think>", "<think>", r"\boxed{}", r"\boxed{A, B}", "Answer 1 is better", "Overall Judgment:", "\x00", "٣"]
)
OUTPUTS = st.lists(st.one_of(st.text(max_size=40), LATEX), max_size=12).map("".join)


def test_the_paper_benchmarks_are_registered_with_their_sources():
    assert {"mmmu", "mathvista", "mathvision", "mathverse", "mmstar", "vl_rewardbench", "mm_rlhf_rewardbench"} <= set(
        REGISTRY
    )
    for benchmark in REGISTRY.values():
        assert benchmark.task in ("policy", "critic") and benchmark.category in CATEGORIES
        assert benchmark.script.startswith("eval_llama32v/model_") and benchmark.hub_id and benchmark.split
        assert benchmark.max_model_len in (8192, 32768)


def test_every_benchmark_has_fixture_rows_in_its_test_module():
    missing = sorted(set(REGISTRY) - set(fixture_writers()))
    assert not missing, f"add FIXTURES to tests/evaluate/benchmarks/test_<module>.py for {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_fixture_rows_give_items_and_the_main_metric(name, benchmark_dirs):
    found, _ = items(name, str(benchmark_dirs[name]))
    assert len(found) >= 2
    references = [item.reference() for item in found]
    assert all(set(ref) >= {"id", "kind", "answer", "choices", "extra"} for ref in references)
    benchmark = REGISTRY[name]
    metrics = benchmark.metrics(_records(name, found, ["no answer"] * len(found)), None)
    assert benchmark.main_metric in metrics
    main = metrics[benchmark.main_metric]
    assert main == NEEDS_JUDGE or 0.0 <= main <= 1.0


def _records(name, found, outputs):
    """Result records as the pipeline writes them for ``found`` items answered with ``outputs``."""
    if REGISTRY[name].task == "critic":
        return [
            {"id": i.id, "subset": i.category or "all", "label": i.answer, "extra": i.extra, "first_shown": ["1"]}
            | judgment_fields([text], ["1"], i.answer)
            | {"outputs": [text]}
            for i, text in zip(found, outputs, strict=True)
        ]
    return [
        {"id": i.id, "reference": i.reference(), "output": text} | score(i.reference(), text)
        for i, text in zip(found, outputs, strict=True)
    ]


@pytest.fixture(scope="session")
def fixture_items(benchmark_dirs):
    return {name: items(name, str(benchmark_dirs[name]))[0] for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scorers_and_metrics_never_raise_on_any_output(name, fixture_items, data):
    found = fixture_items[name]
    outputs = [data.draw(OUTPUTS) for _ in found]
    records = _records(name, found, outputs)  # scorer (policy) or verdict reader (critic) on every output
    metrics = REGISTRY[name].metrics(records, None)
    assert REGISTRY[name].main_metric in metrics
