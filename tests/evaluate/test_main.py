"""The one evaluation command end to end on the tiny model (HF backend): files, resume, summary, rescore."""

from __future__ import annotations

import json

import pytest

from critic_r1_ext.evaluate.__main__ import main, parse_args
from critic_r1_ext.evaluate.benchmarks import REGISTRY


def test_help_lists_every_benchmark(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(f"{name} (" in text for name in REGISTRY)


def test_unknown_benchmarks_and_presets_are_refused(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--model", "m", "--output", "o", "--benchmarks", "mmmu,no_such_benchmark"])
    assert "unknown benchmark(s) ['no_such_benchmark']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--model", "m", "--output", "o", "--preset", "best"])


def test_tiny_model_end_to_end_then_resume_and_rescore(tiny_qwen_dir, benchmark_dirs, tmp_path, capsys):
    out = tmp_path / "run"
    names = ["mmmu", "vl_rewardbench"]
    argv = [
        "--model",
        str(tiny_qwen_dir),
        "--backend",
        "hf",
        "--benchmarks",
        ",".join(names),
        "--output",
        str(out),
        "--limit",
        "2",
        "--max-new-tokens",
        "4",
        "--best-of",
        "2",
        "--preset",
        "paper,ours",
        "--min-pixels",
        "3136",
        "--max-pixels",
        "12544",
    ]
    argv += [arg for name in names for arg in ("--data", f"{name}={benchmark_dirs[name]}")]
    summary = main(argv)
    greedy = [json.loads(line) for line in (out / "mmmu.greedy.jsonl").read_text().splitlines()]
    assert [r["id"] for r in greedy] == ["validation_Art_1", "validation_Math_2"]
    assert all({"prompt_id", "output", "extracted", "correct", "reference"} <= set(r) for r in greedy)
    bon = [json.loads(line) for line in (out / "mmmu.best_of_2.jsonl").read_text().splitlines()]
    assert all(len(r["candidates"]) == 2 and set(r["presets"]) == {"paper", "ours"} for r in bon)
    mmmu = summary["benchmarks"]["mmmu"]
    assert mmmu["strict"]["items"] == 2 and mmmu["category"] == "Image reasoning"
    assert mmmu["paper"] == {"base": 53.1, "r1": 57.0, "r1_best_of_128": 66.2}
    assert mmmu["best_of_n"]["judge_calls_per_item_paper"] == 1
    assert summary["benchmarks"]["vl_rewardbench"]["strict"]["overall"]["rows"] == 2
    assert summary["categories"]["Image reasoning"]["measured"] is None  # MathVista etc. did not run
    markdown = (out / "summary.md").read_text()
    assert "| Image reasoning | mmmu | 2 (+0 skipped) | accuracy |" in markdown and "| 53.1 | 57.0 |" in markdown
    capsys.readouterr()
    assert main(argv) == summary
    assert "2 of 2 items already done" in capsys.readouterr().out
    rescored = main(
        [
            "--rescore",
            "--benchmarks",
            ",".join(names),
            "--output",
            str(out),
            "--best-of",
            "2",
            "--model",
            str(tiny_qwen_dir),
        ]
    )
    assert rescored == summary


class _RecordingLLM:
    """Stands in for ``vllm.LLM`` (not installable without CUDA): records each ``generate`` call."""

    def __init__(self):
        self.calls = []

    def generate(self, prompts, params, use_tqdm=False):
        self.calls.append((prompts, params))
        return [_Result(["<think>x</think> \\boxed{B}"] * params.n) for _ in prompts]


class _Result:
    def __init__(self, texts):
        self.outputs = [type("Completion", (), {"text": text})() for text in texts]


class _SamplingParams:
    def __init__(self, n, temperature, top_p, max_tokens):
        self.n, self.temperature, self.top_p, self.max_tokens = n, temperature, top_p, max_tokens


def test_vllm_path_sends_a_whole_benchmark_in_one_generate_call(tiny_qwen_dir, benchmark_dirs, tmp_path, monkeypatch):
    """The real VLLMBackend request construction (chat template, images at their markers) without vLLM itself."""
    import sys
    import types

    from transformers import AutoProcessor

    from critic_r1_ext.common.backends import VLLMBackend
    from critic_r1_ext.evaluate.__main__ import run_settings
    from critic_r1_ext.evaluate.benchmarks import items
    from critic_r1_ext.evaluate.policy import run_greedy

    monkeypatch.setitem(sys.modules, "vllm", types.SimpleNamespace(SamplingParams=_SamplingParams))
    backend = VLLMBackend.__new__(VLLMBackend)
    args = parse_args(["--model", "m", "--output", str(tmp_path), "--variant", "mmmu=inline_images"])
    settings = run_settings(args, "mmmu")
    backend.processor, backend.llm, backend.pixel_bounds = (
        AutoProcessor.from_pretrained(tiny_qwen_dir),
        _RecordingLLM(),
        {},
    )
    backend.system_prompt, backend.generation_prefix = settings["system_prompt"], "<think>"
    found, _ = items("mmmu", str(benchmark_dirs["mmmu"]), variant="inline_images")
    run_greedy(lambda: backend, "mmmu", found, tmp_path / "mmmu.greedy.jsonl", args, settings)
    ((prompts, params),) = backend.llm.calls
    assert len(prompts) == 2 and (params.n, params.temperature, params.max_tokens) == (1, 0.0, 2048)
    assert [len(p["multi_modal_data"]["image"]) for p in prompts] == [3, 1]
    assert prompts[0]["multi_modal_data"]["image"][0].size == (56, 56)  # no resizing: the processor's defaults
    first = prompts[0]["prompt"]
    assert first.count("<|vision_start|>") == 3 and first.index("<|vision_start|>") > first.index("Which painting")
    assert first.endswith("<|im_start|>assistant\n<think>") and "You are a helpful assistant." in first


def test_tiny_model_runs_every_registered_benchmark_including_video(tiny_qwen_dir, benchmark_dirs, tmp_path):
    """Every benchmark of the registry, from its test module's fixture rows, through the real HF backend."""
    out = tmp_path / "all"
    argv = ["--model", str(tiny_qwen_dir), "--backend", "hf", "--benchmarks", "all", "--output", str(out)]
    argv += ["--limit", "2", "--max-new-tokens", "2"]
    argv += [arg for name in REGISTRY for arg in ("--data", f"{name}={benchmark_dirs[name]}")]
    summary = main(argv)
    assert set(summary["benchmarks"]) == set(REGISTRY)
    for name, entry in summary["benchmarks"].items():
        strict = entry["strict"]
        done = strict["items"] if "items" in strict else strict["overall"]["rows"]
        assert done >= 1, f"{name}: no item ran"
        assert entry["main_metric"] in entry["official"], name
    video = [json.loads(line) for line in (out / "mm_rlhf_rewardbench.critic.jsonl").read_text().splitlines()]
    assert [r["subset"] for r in video] == ["image", "video"] and all(len(r["outputs"]) == 1 for r in video)


@pytest.fixture
def scripted_main(monkeypatch, scripted_backend, benchmark_dirs, tmp_path):
    """``main`` with an instant scripted model (every answer \\boxed{B}, every verdict \\boxed{1})."""
    from critic_r1_ext.evaluate import __main__ as entry

    def script(text, n, temperature):
        return [run.verdict if "Answer 1" in text else "<think>x</think> \\boxed{B}"] * n

    monkeypatch.setattr(entry, "backend_from_args", lambda args, max_images, **options: scripted_backend(script))

    def run(*extra, names=("mmstar", "vl_rewardbench"), out="run"):
        argv = ["--model", "m", "--backend", "hf", "--output", str(tmp_path / out), "--benchmarks", ",".join(names)]
        argv += [arg for name in names for arg in ("--data", f"{name}={benchmark_dirs[name]}")]
        return main([*argv, *extra])

    run.verdict = "<think>x</think> \\boxed{1}"
    return run


@pytest.mark.parametrize(
    "changed",
    [
        ["--system-prompt", ""],
        ["--is-mimo-thinking"],
        ["--min-image-side", "60"],
        ["--min-pixels", "3136"],
        ["--max-model-len", "4096"],
        ["--max-new-tokens", "7"],
    ],
)
def test_every_setting_that_changes_what_runs_or_what_the_model_sees_keys_resuming(scripted_main, changed):
    scripted_main(names=("mmstar",))
    with pytest.raises(SystemExit, match="other settings"):
        scripted_main(*changed, names=("mmstar",))


def test_the_mmmu_variant_keys_resuming(scripted_main):
    scripted_main(names=("mmmu",))
    with pytest.raises(SystemExit, match="other settings"):
        scripted_main("--variant", "mmmu=inline_images", names=("mmmu",))


def test_rescore_refuses_a_folder_without_results_in_one_line(scripted_main, tmp_path):
    scripted_main(names=("mmstar",))
    with pytest.raises(SystemExit) as refused:
        main(["--rescore", "--output", str(tmp_path / "run"), "--benchmarks", "mmstar,mathvista"])
    message = str(refused.value)
    assert "\n" not in message and "no results for mathvista" in message


def test_rescore_keeps_records_it_cannot_recompute(scripted_main, tmp_path, capsys):
    scripted_main(names=("mmstar",))
    path = tmp_path / "run" / "mmstar.greedy.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    broken = {k: v for k, v in records[0].items() if k != "reference"}
    path.write_text("".join(json.dumps(r) + "\n" for r in [broken, *records[1:]]))
    main(["--rescore", "--output", str(tmp_path / "run"), "--benchmarks", "mmstar"])
    after = [json.loads(line) for line in path.read_text().splitlines()]
    assert after[0] == broken and len(after) == len(records)
    assert "1 record(s) lack what rescoring needs; kept as they were" in capsys.readouterr().out


def test_critic_summary_macro_average_unparsed_counted_and_random_option(scripted_main, tmp_path):
    summary = scripted_main(names=("vl_rewardbench",))
    entry = summary["benchmarks"]["vl_rewardbench"]
    assert entry["main_metric"] == "macro_accuracy" and "accuracy" in entry["official"]
    assert entry["skipped_rows"] == {"no strict preference between two responses": 1}
    assert entry["official"]["unparsed_verdicts"] == 0
    scripted_main.verdict = "I cannot decide."
    unread = scripted_main(names=("vl_rewardbench",), out="unread")["benchmarks"]["vl_rewardbench"]
    assert unread["official"]["unparsed_verdicts"] == 4 and unread["official"]["accuracy"] == 0.0
    coin = scripted_main("--unparsed", "random", names=("vl_rewardbench",), out="unread")["benchmarks"]
    assert coin["vl_rewardbench"]["random_filled"] == 4 and coin["vl_rewardbench"]["official"]["unparsed_verdicts"] == 0
    assert "a seeded coin flip" in (tmp_path / "unread" / "summary.md").read_text()


def test_baseline_deltas_per_benchmark_and_category_and_one_chart_per_category(scripted_main, tmp_path):
    names = ("mmstar", "vl_rewardbench")
    scripted_main.verdict = "I cannot decide."
    scripted_main(names=names, out="base")
    scripted_main.verdict = "<think>x</think> \\boxed{1}"
    summary = scripted_main("--baseline", str(tmp_path / "base"), names=names)
    vlrb = summary["benchmarks"]["vl_rewardbench"]
    assert vlrb["baseline"] == 0.0 and vlrb["delta"] == pytest.approx(vlrb["main"])
    star = summary["benchmarks"]["mmstar"]
    assert star["baseline"] == star["main"] == 0.5 and star["delta"] == 0.0
    assert summary["baseline"]["average"] == 0.25 and summary["delta_average"] == pytest.approx(
        summary["average"] - 0.25
    )
    charts = sorted(p.name for p in (tmp_path / "run").glob("chart_*.png"))
    assert charts == ["chart_perception_general_vqa.png", "chart_visual_reward_benchmarks.png"]
    assert (tmp_path / "run" / charts[0]).read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(SystemExit, match="no summary.json"):
        scripted_main("--baseline", str(tmp_path / "nowhere"), names=names)


def test_vllm_engines_follow_each_benchmarks_context_length(monkeypatch, scripted_backend, benchmark_dirs, tmp_path):
    """MathVision's script sets 32768, MMStar's 8192: one engine each, the first closed before the second."""
    from critic_r1_ext.evaluate import __main__ as entry

    built, closed = [], []

    class Engine(scripted_backend):
        def close(self):
            closed.append(self.max_model_len)

    def build(args, max_images, **options):
        engine = Engine(lambda text, n, temperature: ["\\boxed{B}"] * n)
        engine.max_model_len = options["max_model_len"]
        built.append((options["max_model_len"], options["system_prompt"], options["generation_prefix"]))
        return engine

    monkeypatch.setattr(entry, "backend_from_args", build)
    names = ["mathvision", "mmstar"]
    argv = ["--model", "m", "--backend", "vllm", "--output", str(tmp_path), "--benchmarks", ",".join(names)]
    main([*argv, *(a for n in names for a in ("--data", f"{n}={benchmark_dirs[n]}")), "--is-mimo-thinking"])
    assert built == [
        (8192, "You are a helpful assistant.", "<think>"),
        (32768, "You are a helpful assistant.", "<think>"),
    ]
    assert closed == [8192]


def test_a_category_with_a_judge_only_member_keeps_its_mean_blank_and_shows_the_partial_mean(scripted_main, tmp_path):
    names = tuple(n for n, b in REGISTRY.items() if b.category == "Perception & general VQA")
    summary = scripted_main(names=names)
    category = summary["categories"]["Perception & general VQA"]
    assert category["measured"] is None and summary["average"] is None  # strict: blank while incomplete
    entries = summary["benchmarks"]
    valued = {n: e["stand_in"]["value"] if "stand_in" in e else e["main"] for n, e in entries.items()}
    valued = {n: v for n, v in valued.items() if isinstance(v, float)}
    assert "mmhal" not in valued and len(valued) >= 4
    partial = category["partial"]
    assert partial["value"] == pytest.approx(sum(valued.values()) / len(valued))
    assert partial["missing"]["mmhal"] == "needs a judge" and set(partial["missing"]) == set(names) - set(valued)
    assert summary["average_partial"]["value"] == partial["value"]
    written = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert written["categories"]["Perception & general VQA"]["partial"] == partial
    shown = f"{100 * partial['value']:.1f} ({len(valued)} of {len(names)}; "
    markdown = (tmp_path / "run" / "summary.md").read_text()
    assert f"| — | {shown}" in markdown and "MMHal-Bench needs a judge" in markdown
    assert f"partial mean over the benchmarks with a value: {shown}" in markdown
