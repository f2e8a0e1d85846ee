"""Hydra config package: ``pkg://critic_r1_ext.hydra_configs`` holds the ``recipe`` group."""
