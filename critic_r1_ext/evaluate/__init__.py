"""Evaluation at test time: the paper's policy and critic benchmarks, with the authors' protocol.

``python -m critic_r1_ext.evaluate`` (``__main__``) runs them: ``benchmarks`` loads each benchmark,
``policy`` and ``best_of_n`` generate and select answers, ``scoring`` grades them,
``critic_benchmarks`` judges VL-RewardBench and MM-RLHF-RewardBench pairs, ``summary`` puts the
results beside ``paper_values``. ``critic`` is the stand-alone critic evaluation on any pairwise
file, and ``vl_rewardbench`` converts the VL-RewardBench release into its rows.
"""
