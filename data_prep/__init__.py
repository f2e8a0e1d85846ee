"""Converters from critic data to verl-ready ``train.parquet``/``val.parquet`` (run as ``python -m data_prep.<name>``).

* ``data_prep.pairwise``: raw pairwise critic data (``lmms-lab/llava-critic-113k`` ``pairwise`` or any
  JSONL/parquet with an image, a question, two responses and a preference); judge rationales are dropped,
  only the verifiable preference is kept.
* ``data_prep.llava_critic_grpo``: the authors' released RL set ``lmms-lab/LLaVA-Critic-GRPO-dataset``.

Both stream their input, write atomically and deterministically, and list every row they did not
write in ``report.json`` beside the outputs.
"""
