"""The paper's numbers to print beside ours (LLaVA-Critic-R1, arXiv 2509.00676, Figure 1).

Source: ``shared/spec/paper.md``. Policy benchmarks: base Qwen2.5-VL-7B, LLaVA-Critic-R1 (single
answer) and R1 with self-critic Best-of-128. Critic benchmarks: the paper gives only the category
average over VL-RewardBench and MM-RLHF-RewardBench, per model.
"""

from __future__ import annotations

POLICY = {
    "mmmu": {"base": 53.1, "r1": 57.0, "r1_best_of_128": 66.2},
    "mathvista": {"base": 71.5, "r1": 75.1, "r1_best_of_128": 78.9},
    "mathvision": {"base": 27.5, "r1": 31.5, "r1_best_of_128": 42.9},
    "mathverse": {"base": 48.3, "r1": 51.3, "r1_best_of_128": 61.1},
    "mmstar": {"base": 63.4, "r1": 65.4, "r1_best_of_128": 69.9},
}
POLICY_MEAN = {"base": 52.8, "r1": 56.1, "r1_best_of_128": 63.8}

# "Visual reward benchmarks" category average (VL-RewardBench, MM-RLHF-RewardBench).
REWARD_CATEGORY = {"base": 61.3, "r1": 68.1, "thinklite_vl_7b": 57.2, "r1_plus": 64.9}
REWARD_BENCHMARKS = ("vl_rewardbench", "mm_rlhf_rewardbench")
