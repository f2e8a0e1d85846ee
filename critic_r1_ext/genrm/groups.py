"""Gather a GRPO group's rollouts across reward workers, by ``uid``, with a deadline.

verl hands each reward worker one rollout at a time and picks the worker at random
(``experimental/agent_loop/agent_loop.py``, ``_compute_score``), so no worker sees a whole group. The
``GroupBoard`` is the meeting point: every member ``join``s with its payload. The member that completes
the group becomes its leader and gets every payload; it judges the group and ``publish``es the rewards,
which the others ``collect``. When the group is still short ``timeout_s`` after its first member came
(a member failed, or a validation group is smaller than the training n), every member that came is told
so and falls back to the reference; a member that comes later is told at once.

Under Ray the board is one named actor (``board()``), shared by every reward worker of the job; without
Ray it is a plain object in the process. Both are the same class.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

BOARD_NAME = "critic_r1_genrm_group_board"
LEAD, WAIT, ALONE = "lead", "wait", "alone"


@dataclass
class _Group:
    size: int
    deadline: float
    members: dict = field(default_factory=dict)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    published: asyncio.Event = field(default_factory=asyncio.Event)
    complete: bool = False
    results: dict | None = None
    collected: int = 0


class GroupBoard:
    """Rendezvous of group members; an asyncio object, also run as a Ray async actor."""

    def __init__(self, expired_keep_s: float = 3600.0):
        self.groups: dict[str, _Group] = {}
        self.expired: dict[str, float] = {}  # uid -> when it expired; late members are told at once
        self.expired_keep_s = expired_keep_s

    async def join(self, uid: str, member, payload, size: int, timeout_s: float) -> tuple[str, dict | None]:
        """``(LEAD, payloads by member)`` to the member that completes the group, ``(WAIT, None)`` to the others,
        ``(ALONE, None)`` when the group did not fill in time."""
        self._prune()
        if uid in self.expired:
            return ALONE, None
        group = self.groups.get(uid)
        if group is None:
            group = self.groups[uid] = _Group(size=size, deadline=time.monotonic() + timeout_s)
        group.members[member] = payload
        if len(group.members) >= group.size:
            group.complete = True
            group.settled.set()
            return LEAD, dict(group.members)
        try:
            await asyncio.wait_for(group.settled.wait(), max(0.0, group.deadline - time.monotonic()))
        except asyncio.TimeoutError:
            self._expire(uid)
        return (WAIT, None) if group.complete else (ALONE, None)

    async def publish(self, uid: str, results: dict | None) -> None:
        """The leader's rewards by member (``None``: it failed, the others fall back)."""
        group = self.groups.get(uid)
        if group is not None:
            group.results = results
            group.published.set()

    async def collect(self, uid: str, member, timeout_s: float):
        """This member's result once the leader has published, or None (no result in time)."""
        group = self.groups.get(uid)
        if group is None:
            return None
        try:
            await asyncio.wait_for(group.published.wait(), timeout_s)
        except asyncio.TimeoutError:
            return None
        group.collected += 1
        if group.collected >= len(group.members) - 1:
            self.groups.pop(uid, None)
        return (group.results or {}).get(member)

    async def finish(self, uid: str) -> None:
        """The leader is done; drop the group once nobody else waits (a group of one)."""
        group = self.groups.get(uid)
        if group is not None and len(group.members) <= 1:
            self.groups.pop(uid, None)

    def pending(self) -> int:
        """Groups still open or waiting to be collected (for tests and leak checks)."""
        return len(self.groups)

    def _expire(self, uid: str) -> None:
        group = self.groups.pop(uid, None)
        if group is not None and not group.complete:
            self.expired[uid] = time.monotonic()
            group.settled.set()

    def _prune(self) -> None:
        now = time.monotonic()
        for uid, group in list(self.groups.items()):
            if not group.complete and now > group.deadline:
                self._expire(uid)
            elif group.complete and now > group.deadline + self.expired_keep_s:
                self.groups.pop(uid)  # a leader that never published: its members have given up
        self.expired = {u: t for u, t in self.expired.items() if now - t < self.expired_keep_s}


def board():
    """The job's shared board: a named Ray actor when Ray is up (created by the first worker), else a local one."""
    import ray

    if not ray.is_initialized():
        return _LocalBoard(GroupBoard())
    actor = (
        ray.remote(GroupBoard)
        .options(name=BOARD_NAME, get_if_exists=True, num_cpus=0, max_concurrency=100_000)
        .remote()
    )
    return _RayBoard(actor)


class _LocalBoard:
    """Same calls as ``_RayBoard`` on an in-process board."""

    def __init__(self, inner: GroupBoard):
        self.inner = inner

    async def join(self, *args):
        return await self.inner.join(*args)

    async def publish(self, *args):
        return await self.inner.publish(*args)

    async def collect(self, *args):
        return await self.inner.collect(*args)

    async def finish(self, *args):
        return await self.inner.finish(*args)


class _RayBoard:
    def __init__(self, actor):
        self.actor = actor

    async def join(self, *args):
        return await self.actor.join.remote(*args)

    async def publish(self, *args):
        return await self.actor.publish.remote(*args)

    async def collect(self, *args):
        return await self.actor.collect.remote(*args)

    async def finish(self, *args):
        return await self.actor.finish.remote(*args)
