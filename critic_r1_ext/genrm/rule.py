"""The rule term of a mixed reward: verl's own scorer for the row's ``data_source`` (``default_compute_score``).

Set as ``reward.custom_reward_function`` by ``+recipe=critic_genrm``; point that key at your own function
(it receives ``data_source, solution_str, ground_truth, extra_info`` and the ``reward_kwargs``) to use
another rule. Only called when ``reward_kwargs.alpha > 0``.
"""

from __future__ import annotations


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **_):
    from verl.utils.reward_score import default_compute_score

    return default_compute_score(data_source, solution_str, ground_truth, extra_info)
