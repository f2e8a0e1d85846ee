"""Shared fixtures: a tiny local Qwen2.5-VL checkpoint and verl's own Hydra config composition."""

from __future__ import annotations

import os
from pathlib import Path

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


@pytest.fixture(scope="module")
def fake_gpu_cluster(tmp_path_factory):
    """A local three-node Ray cluster (``ray.cluster_utils.Cluster``) with fake GPUs, as a Slurm job would name it.

    Module-scoped: while it runs, another local Ray cluster cannot take job submissions ("No available
    agent to submit job"), so it must be gone before ``tests/recipes/test_ray_job.py`` starts its own.

    ``head`` (no GPU) and ``node1`` (2 GPUs) run in ``site_a`` (which holds ``data/train.parquet``)
    with ``NCCL_SOCKET_IFNAME=lo``; ``node2`` (2 GPUs) runs in ``site_b`` (no ``data/``), with
    ``NCCL_SOCKET_IFNAME=nosuch0`` and, first on its PYTHONPATH, another copy of critic_r1_ext
    (version 0.0.9). Each node's raylet, and so its workers, start in its own working directory.
    Yields ``(cluster, root)``.
    """
    import ray
    from ray.cluster_utils import Cluster

    root = tmp_path_factory.mktemp("cluster")
    site_a, site_b, other = root / "site_a", root / "site_b", root / "other_version" / "critic_r1_ext"
    (site_a / "data").mkdir(parents=True)
    (site_a / "data" / "train.parquet").write_bytes(b"PAR1")
    site_b.mkdir()
    other.mkdir(parents=True)
    (other / "__init__.py").write_text('__version__ = "0.0.9"\n')
    net = {"NCCL_SOCKET_IFNAME": "lo", "GLOO_SOCKET_IFNAME": "lo"}
    pythonpath = os.environ.get("PYTHONPATH", "")
    layout = [
        ("head", 0, site_a, net),
        ("node1", 2, site_a, net),
        ("node2", 2, site_b, {**net, "NCCL_SOCKET_IFNAME": "nosuch0", "PYTHONPATH": f"{other.parent}:{pythonpath}"}),
    ]
    cluster = Cluster()
    cwd = os.getcwd()
    # Cluster records its address where a plain ray.init() (verl's run_ppo, other tests) would join it;
    # put back what was there, so only tests that pass this cluster's address use it.
    address_file = Path(ray._private.utils.get_ray_address_file(None))
    previous = address_file.read_text() if address_file.exists() else None
    try:
        for name, gpus, site, env in layout:
            os.chdir(site)
            args = {"num_cpus": 1, "num_gpus": gpus, "node_name": name, "env_vars": env}
            if cluster.head_node is None:
                args["include_dashboard"] = False
            cluster.add_node(**args)
    finally:
        os.chdir(cwd)
        if previous is None:
            address_file.unlink(missing_ok=True)
        else:
            address_file.write_text(previous)
    yield cluster, root
    cluster.shutdown()
