"""The loopback judge server the per-benchmark tests share (see ``tests/judge_fixtures.py``)."""

from __future__ import annotations

import pytest
from judge_fixtures import loopback_servers


@pytest.fixture
def loopback_judge():
    """An OpenAI-compatible chat server on 127.0.0.1: ``loopback_judge(reply)`` gives its URL; ``.seen`` the bodies."""
    start, servers = loopback_servers()
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
