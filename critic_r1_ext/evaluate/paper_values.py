"""The paper's numbers to print beside ours (LLaVA-Critic-R1, arXiv 2509.00676, Figure 1).

Source: ``shared/spec/paper.md`` (Figure 1 read from the paper). Only Figure 1 is public: per
benchmark, its right panel gives base Qwen2.5-VL-7B, LLaVA-Critic-R1 (single answer) and R1 with
self-critic Best-of-128 on five benchmarks; its left panel gives category averages per model. No
public source gives the other per-benchmark values, so the summary shows "—" for them.
"""

from __future__ import annotations

BENCHMARKS = {
    "mmmu": {"base": 53.1, "r1": 57.0, "r1_best_of_128": 66.2},
    "mathvista": {"base": 71.5, "r1": 75.1, "r1_best_of_128": 78.9},
    "mathvision": {"base": 27.5, "r1": 31.5, "r1_best_of_128": 42.9},
    "mathverse": {"base": 48.3, "r1": 51.3, "r1_best_of_128": 61.1},
    "mmstar": {"base": 63.4, "r1": 65.4, "r1_best_of_128": 69.9},
}
BEST_OF_N_MEAN = {"base": 52.8, "r1": 56.1, "r1_best_of_128": 63.8}  # mean of the five above

# Figure 1, left: category averages (base Qwen2.5-VL-7B, R1, ThinkLite-VL-7B, R1+).
CATEGORIES = {
    "Perception & general VQA": {"base": 58.6, "r1": 60.7, "thinklite_vl_7b": 60.2, "r1_plus": 61.4},
    "Image reasoning": {"base": 42.7, "r1": 45.8, "thinklite_vl_7b": 46.9, "r1_plus": 47.8},
    "Chart understanding": {"base": 73.3, "r1": 74.5, "thinklite_vl_7b": 75.2, "r1_plus": 75.6},
    "Video reasoning": {"base": 46.3, "r1": 53.2, "thinklite_vl_7b": 51.5, "r1_plus": 52.7},
    "Visual reward benchmarks": {"base": 61.3, "r1": 68.1, "thinklite_vl_7b": 57.2, "r1_plus": 64.9},
}
