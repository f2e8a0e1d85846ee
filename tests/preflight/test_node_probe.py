"""The per-node probe on this machine: versions, paths and markers, network facts."""

from __future__ import annotations

import sys

from critic_r1_ext.preflight import node_probe


def test_package_versions_report_missing_as_none():
    import transformers

    assert node_probe.package_version("transformers") == transformers.__version__
    assert node_probe.package_version("no_such_package_xyz") is None


def test_own_version_changes_with_the_source(tmp_path, monkeypatch):
    package = tmp_path / "critic_r1_ext"
    package.mkdir()
    (package / "__init__.py").write_text('__version__ = "0.1.0"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "critic_r1_ext" or m.startswith("critic_r1_ext.")]:
        monkeypatch.delitem(sys.modules, name)
    first = node_probe.own_version()
    (package / "reward.py").write_text("SCORE = 1\n")
    second = node_probe.own_version()
    assert first.startswith("0.1.0 (source ") and second.startswith("0.1.0 (source ")
    assert first != second  # same version string, different code: not the same package


def test_paths_and_markers(tmp_path):
    data = tmp_path / "train.parquet"
    data.write_bytes(b"PAR1")
    assert node_probe.readable(str(data)) == ""
    assert node_probe.readable(str(tmp_path / "nope.parquet")).startswith("No such file or directory: ")
    ckpt = tmp_path / "ckpt" / "run"
    assert node_probe.write_marker(str(ckpt), ".p_") == "" and node_probe.write_marker(str(ckpt), ".p_") == ""
    assert len(node_probe.visible_markers(str(ckpt), ".p_")) == 2
    node_probe.remove_markers(str(ckpt), ".p_")
    assert node_probe.visible_markers(str(ckpt), ".p_") == []
    assert node_probe.write_marker(str(data / "ckpt"), ".p_").startswith("Not a directory: ")


def test_describe_reports_network_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("NCCL_SOCKET_IFNAME", "lo")
    monkeypatch.setenv("NCCL_IB_HCA", "mlx5")
    monkeypatch.setenv("NCCL_DEBUG", "INFO")  # not a network setting
    report = node_probe.describe([], str(tmp_path), ".p_")
    assert report["env"] == {"NCCL_SOCKET_IFNAME": "lo", "NCCL_IB_HCA": "mlx5"}
    assert "lo" in report["interfaces"]
    import critic_r1_ext

    assert report["write"] == ""
    assert report["versions"]["critic_r1_ext"].startswith(f"{critic_r1_ext.__version__} (source ")
