"""Evaluation at test time: the paper's policy and critic benchmarks, with the authors' protocol.

``python -m critic_r1_ext.evaluate`` (``__main__``) runs them: ``benchmarks`` (one module per
benchmark, found by its registry) loads each benchmark and computes its official metrics,
``policy`` and ``best_of_n`` generate and select answers, ``scoring`` is our strict scorer,
``critic_benchmarks`` judges VL-RewardBench and MM-RLHF-RewardBench pairs, ``judge_client`` asks an
OpenAI-compatible LLM judge where an official metric needs one, ``summary`` and ``charts`` put the
results beside ``paper_values`` and a baseline run. ``critic`` is the stand-alone critic evaluation
on any pairwise file, and ``vl_rewardbench`` converts the VL-RewardBench release into its rows.
"""
