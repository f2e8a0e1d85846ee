"""The critic as a generative reward model for another policy's GRPO run (issue 17).

A verl reward manager (``manager.CriticGenRM``, selected with ``reward.reward_manager.source=importlib``)
judges each rollout with a pairwise critic served behind an OpenAI-compatible chat endpoint: verl's
reward-model pool (``reward_router_address``) or any external URL. ``modes`` turns verdicts into
per-rollout rewards, ``groups`` gathers a GRPO group across reward workers, ``client`` talks to the
judge, ``judge`` builds the critic's messages and reads its verdicts, ``rule`` is the optional rule
term of the mix, ``trainer`` logs the judge metrics per training step.
"""
