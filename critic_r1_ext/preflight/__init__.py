"""Preflight: check a critic-r1 run's config and data on a laptop before it costs GPU hours.

python -m critic_r1_ext.preflight +recipe=critic_r1 [overrides...]
"""
