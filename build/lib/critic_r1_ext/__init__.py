"""critic-r1: LLaVA-Critic-R1 as a verl recipe (reward, dataset adapter, Hydra recipes, tools)."""

__version__ = "0.1.0"
