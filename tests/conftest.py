"""Shared fixtures: a tiny local Qwen2.5-VL checkpoint and verl's own Hydra config composition."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_qwen_dir(tmp_path_factory):
    """A random-init two-layer Qwen2.5-VL checkpoint folder (processor, tokenizer, weights); no hub."""
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

    return build_tiny_qwen2_5_vl(tmp_path_factory.mktemp("tiny_qwen2_5_vl"))


@pytest.fixture(scope="session")
def tiny_processor(tiny_qwen_dir):
    """The tiny checkpoint's processor, loaded by verl's ``hf_processor`` as in training."""
    from verl.utils import hf_processor

    return hf_processor(str(tiny_qwen_dir))


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_qwen_dir):
    from verl.utils import hf_tokenizer

    return hf_tokenizer(str(tiny_qwen_dir))


def compose_verl_config(*overrides: str):
    """verl's ``ppo_trainer`` config composed exactly as ``python -m verl.trainer.main_ppo`` does."""
    from hydra import compose, initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return compose(config_name="ppo_trainer", overrides=list(overrides))


@pytest.fixture
def verl_config():
    return compose_verl_config
