"""A round end to end: the tiny Qwen2.5-VL on the HF backend spends the printed budget and gives pairs in
TRL's DPO layout; the critic rows pass data prep and the preflight; resuming never judges twice; rounds,
drops, and one model loaded at a time."""

from __future__ import annotations

import json

from PIL import Image

from critic_r1_ext.common.backends import HFBackend
from critic_r1_ext.preferences.__main__ import main, parse_args
from critic_r1_ext.preferences.rounds import run_round
from critic_r1_ext.prompt import with_suffix
from data_prep import pairwise


def cli(prompts_file, out, *extra):
    return ["--input", str(prompts_file), "--out", str(out), *extra]


def budget_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("judge budget:"))


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_tiny_model_on_the_hf_backend_spends_exactly_the_printed_budget(prompts_file, tiny_qwen_dir, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["--policy", str(tiny_qwen_dir), "--backend", "hf", "--n", "3", "--strategy", "agree"]
    code = main(cli(prompts_file, out, *argv, "--max-new-tokens", "6", "--judge-max-new-tokens", "6"))
    assert code == 0
    printed = budget_line(capsys.readouterr().out)
    assert printed.startswith("judge budget: 3 prompts x 6 calls (agree, N=3) = 18 judge calls;")
    assert printed.endswith("0 already in " + str(out / "round_1" / "judgments.jsonl") + ", 18 to make")
    judgments = jsonl(out / "round_1" / "judgments.jsonl")
    assert len(judgments) == 18 and len({j["id"] for j in judgments}) == 18
    manifest = json.loads((out / "round_1" / "manifest.json").read_text())
    assert manifest["judge_calls"] == {"budget": 18, "reused": 0, "made": 18}
    assert manifest["judged_pairs"] == 9 and sum(manifest["decisions"].values()) == 9
    samples = jsonl(out / "round_1" / "samples.jsonl")
    assert [len(s["answers"]) for s in samples] == [3, 3, 3]


def test_tiny_policy_pairs_load_with_datasets_in_trls_vision_dpo_layout(
    prompts_file, tiny_qwen_dir, tmp_path, scripted_run
):
    from datasets import Image as ImageFeature
    from datasets import List, load_dataset

    out = tmp_path / "run"
    policy = HFBackend(str(tiny_qwen_dir), seed=0)
    manifest, _, critic = scripted_run(
        prompts_file, out, "--n", "4", "--strategy", "agree", "--max-new-tokens", "12", policy=policy
    )
    assert manifest["pairs"] > 0 and critic.requests == manifest["judge_calls"]["made"] == 36
    data = load_dataset("parquet", data_files=str(out / "round_1" / "dpo.parquet"), split="train")
    # TRL "Dataset formats": conversational preference (explicit prompt) + "Vision datasets" (images column).
    assert set(data.column_names) == {"prompt", "chosen", "rejected", "images"}
    assert isinstance(data.features["images"], List) and isinstance(data.features["images"].feature, ImageFeature)
    pairs = jsonl(out / "round_1" / "pairs.jsonl")
    questions = {json.loads(line)["id"]: json.loads(line)["question"] for line in prompts_file.read_text().splitlines()}
    assert len(data) == len(pairs) == manifest["pairs"]
    for row, pair in zip(data, pairs):
        (turn,) = row["prompt"]
        assert turn["role"] == "user"
        assert [item["type"] for item in turn["content"]] == ["image", "text"]
        assert turn["content"][1]["text"] == with_suffix(questions[pair["prompt_id"]])
        assert row["chosen"] == [{"role": "assistant", "content": [{"type": "text", "text": pair["chosen_text"]}]}]
        assert row["rejected"][0]["content"][0]["text"] == pair["rejected_text"]
        assert len(row["images"]) == 1 and isinstance(row["images"][0], Image.Image)
        assert row["images"][0].size == (56, 56)
        # The scripted critic prefers the longer answer; each pair keeps both of its judgments.
        assert len(pair["chosen_text"]) > len(pair["rejected_text"])
        assert {(j["first"], j["second"]) for j in pair["judgments"]} == {
            (pair["chosen"], pair["rejected"]),
            (pair["rejected"], pair["chosen"]),
        }
        assert all(j["output"].endswith("}") for j in pair["judgments"])


def test_critic_pairs_go_through_data_prep_pairwise_and_the_preflight(
    prompts_file, tiny_qwen_dir, tmp_path, capsys, scripted_run
):
    from critic_r1_ext.preflight.__main__ import main as preflight

    out = tmp_path / "run"
    manifest, _, _ = scripted_run(prompts_file, out, "--n", "4", "--strategy", "agree")
    assert manifest["pairs"] == 18  # 3 prompts x 6 pairs of answers of distinct lengths
    prepared = tmp_path / "critic_data"
    assert pairwise.main(["--input", str(out / "critic_pairs"), "--out", str(prepared), "--val-frac", "0.1"]) == 0
    report = json.loads((prepared / "report.json").read_text())
    assert report["rows_in"] == report["rows_out"]["total"] == 18
    capsys.readouterr()
    code = preflight(
        [
            "+recipe=critic_r1",
            f"data.train_files={prepared / 'train.parquet'}",
            f"data.val_files={prepared / 'val.parquet'}",
            f"actor_rollout_ref.model.path={tiny_qwen_dir}",
            "data.train_batch_size=4",
            "actor_rollout_ref.actor.ppo_mini_batch_size=4",
            "--json",
        ]
    )
    checks = json.loads(capsys.readouterr().out)
    assert [c for c in checks if c["status"] == "FAIL"] == []
    assert code == 0
    labels = next(c for c in checks if c["name"] == "train labels")
    assert f"{report['rows_out']['train']} rows" in labels["detail"]


def test_a_rerun_resumes_and_never_judges_a_pair_twice(prompts_file, tmp_path, capsys, scripted_run):
    out = tmp_path / "run"
    first, _, critic = scripted_run(prompts_file, out, "--n", "4")
    assert critic.requests == first["judge_calls"]["budget"] == 36  # round_robin: 3 x 4 x 3
    again, policy, critic = scripted_run(prompts_file, out, "--n", "4")
    assert (policy.requests, critic.requests) == (0, 0)
    assert again["pairs"] == first["pairs"] and again["judge_calls"] == {"budget": 36, "reused": 36, "made": 0}
    judgments = out / "round_1" / "judgments.jsonl"
    lines = judgments.read_text().splitlines()
    judgments.write_text("\n".join(lines[:5]) + "\n" + lines[5][:20])  # killed mid-write
    capsys.readouterr()
    resumed, _, critic = scripted_run(prompts_file, out, "--n", "4")
    assert budget_line(capsys.readouterr().out).endswith(f"5 already in {judgments}, 31 to make")
    assert critic.requests == resumed["judge_calls"]["made"] == 31 and resumed["judge_calls"]["reused"] == 5
    assert len(jsonl(judgments)) == 36 and resumed["pairs"] == first["pairs"]


def test_round_two_continues_the_run_and_the_critic_data_grows(prompts_file, tmp_path, capsys, scripted_run, scripted):
    out = tmp_path / "run"
    assert main(cli(prompts_file, out, "--policy", "p", "--round", "2", "--backend", "hf")) == 1
    assert "finish round 1 before --round 2" in capsys.readouterr().err
    one, _, _ = scripted_run(prompts_file, out, "--n", "3", "--strategy", "best_vs_worst")
    args = parse_args(cli(prompts_file, out, "--policy", "policy-r2", "--critic", "critic", "--round", "2", "--n", "3"))
    two = run_round(args, scripted.Backends(**{"policy-r2": scripted.Policy(), "critic": scripted.Critic()}))
    for manifest, policy, strategy in ((one, "policy", "best_vs_worst"), (two, "policy-r2", "round_robin")):
        saved = json.loads((out / f"round_{manifest['round']}" / "manifest.json").read_text())
        assert saved == manifest
        assert (saved["policy"], saved["critic"], saved["n"], saved["strategy"]) == (policy, "critic", 3, strategy)
        assert saved["agreement"] == 1.0 and saved["pairs"] > 0
    assert sorted(p.name for p in (out / "critic_pairs").iterdir()) == ["round_1.parquet", "round_2.parquet"]
    prepared = tmp_path / "critic_data"
    assert pairwise.main(["--input", str(out / "critic_pairs"), "--out", str(prepared), "--val-frac", "0"]) == 0
    report = json.loads((prepared / "report.json").read_text())
    assert report["rows_in"] == one["pairs"] + two["pairs"]


def test_a_biased_critic_drops_every_pair_and_counts_why(prompts_file, tmp_path, scripted_run, scripted):
    manifest, _, _ = scripted_run(prompts_file, tmp_path / "run", "--n", "3", critic=scripted.Critic(bias="first"))
    assert manifest["pairs"] == 0
    assert manifest["dropped"] == {"inconsistent": 9} and manifest["agreement"] == 0.0


def test_all_pair_strategies_share_a_rounds_judgments_and_a_knockout_there_is_refused(
    prompts_file, tmp_path, capsys, scripted_run
):
    out = tmp_path / "run"
    agree, _, _ = scripted_run(prompts_file, out, "--n", "3", "--strategy", "agree")
    strict, _, critic = scripted_run(prompts_file, out, "--n", "3", "--strategy", "round_robin", "--margin", "4")
    assert critic.requests == 0 and strict["judge_calls"] == {"budget": 18, "reused": 18, "made": 0}
    assert (agree["pairs"], strict["pairs"], strict["dropped"]) == (9, 3, {"below_margin": 6})
    capsys.readouterr()
    argv = cli(prompts_file, out, "--policy", "policy", "--critic", "critic", "--n", "3", "--strategy", "best_vs_worst")
    assert main([*argv, "--backend", "hf"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "judgments.jsonl was made with other settings" in err


def test_every_prompt_is_sampled_first_and_a_separate_policy_is_released_before_the_critic_loads(
    prompts_file, tmp_path, scripted
):
    flags = ["--n", "2", "--prompts-per-batch", "2"]
    args = parse_args(cli(prompts_file, tmp_path / "two", "--policy", "policy", "--critic", "critic", *flags))
    backends = scripted.Backends(policy=scripted.Policy(), critic=scripted.Critic())
    run_round(args, backends)
    assert backends.built == ["policy", "policy", "released policy", "critic", "critic"]
    same = scripted.Backends(model=scripted.SelfCritic())
    run_round(parse_args(cli(prompts_file, tmp_path / "one", "--policy", "model", *flags)), same)
    assert same.built == ["model"] * 4
