"""What one Ray node sees: package versions, data and checkpoint paths, network settings.

These functions run as Ray tasks pinned to each node (``preflight.on_cluster``). They use the standard
library only and are shipped by value, so a node without (or with another) critic_r1_ext or torch still
answers: a package it lacks is reported as missing, never a failed task.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import socket
import uuid
from pathlib import Path

PACKAGES = ("torch", "verl", "vllm", "transformers", "flash_attn")
GPU_PACKAGES = ("vllm", "flash_attn")  # used by the GPU workers only: a CPU-only head may lack them
OWN_PACKAGE = "critic_r1_ext"
NETWORK_VARS = ("NCCL_SOCKET_IFNAME", "GLOO_SOCKET_IFNAME", "NCCL_IB_")
IB_DEVICES = Path("/sys/class/infiniband")


def package_version(name: str) -> str | None:
    """Installed version of ``name`` as found on this node's ``sys.path``; None when not importable."""
    if importlib.util.find_spec(name) is None:
        return None
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "importable, no version metadata"


def own_version() -> str | None:
    """critic_r1_ext's ``__version__`` plus a hash of its source: copies of one version can still differ."""
    spec = importlib.util.find_spec(OWN_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0])
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    module = importlib.import_module(OWN_PACKAGE)
    return f"{getattr(module, '__version__', '?')} (source {digest.hexdigest()[:12]})"


def readable(path: str) -> str:
    """ "" when ``path`` (resolved in this node's working directory) is a readable file, else why not."""
    full = os.path.abspath(path)
    try:
        with open(full, "rb") as f:
            f.read(1)
    except OSError as err:
        return f"{err.strerror or type(err).__name__}: {full}"
    return ""


def write_marker(directory: str, prefix: str) -> str:
    """Create ``directory`` (as verl will) and a marker file named ``prefix``+random in it; "" or why not."""
    full = os.path.abspath(directory)
    try:
        os.makedirs(full, exist_ok=True)
        Path(full, prefix + uuid.uuid4().hex).write_text(socket.gethostname())
    except OSError as err:
        return f"{err.strerror or type(err).__name__}: {full}"
    return ""


def visible_markers(directory: str, prefix: str) -> list[str]:
    """Marker files (of every node) this node sees in ``directory``."""
    try:
        return sorted(name for name in os.listdir(directory) if name.startswith(prefix))
    except OSError:
        return []


def remove_markers(directory: str, prefix: str) -> None:
    """Remove the marker files this node sees (on shared storage the first node removes them all)."""
    for name in visible_markers(directory, prefix):
        try:
            os.remove(os.path.join(directory, name))
        except OSError:
            pass


def describe(read_paths: list[str], ckpt_dir: str, prefix: str) -> dict:
    """Everything the cluster checks compare across nodes; leaves a marker in ``ckpt_dir`` for the next round."""
    versions = {name: package_version(name) for name in PACKAGES}
    try:
        versions[OWN_PACKAGE] = own_version()
    except Exception as err:  # a broken copy of our package is a finding, not a crash
        versions[OWN_PACKAGE] = f"broken: {type(err).__name__}: {err}"
    return {
        "hostname": socket.gethostname(),
        "cwd": os.getcwd(),
        "versions": versions,
        "read": {path: readable(path) for path in read_paths},
        "write": write_marker(ckpt_dir, prefix),
        "env": {k: v for k, v in os.environ.items() if k.startswith(NETWORK_VARS)},
        "interfaces": sorted(name for _, name in socket.if_nameindex()),
        "ib_devices": sorted(p.name for p in IB_DEVICES.iterdir()) if IB_DEVICES.is_dir() else [],
    }
