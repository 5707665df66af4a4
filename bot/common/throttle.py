"""At most one event per key per time window, counting the ones held back.

What the gates and the error reports use so that nobody can make the bot talk, write audit
rows or page the owners in proportion to what they send. Pure and synchronous: the caller passes
the time (``services.now()``), so tests move it; no await between the check and the update, so
concurrent handlers cannot both pass.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
# Keys remembered at most; beyond it the oldest are forgotten (expired ones first), so a crowd
# of strangers costs bounded memory.
DEFAULT_MAX_KEYS = 10_000


@dataclass
class Throttle(Generic[K]):
    """Admit a key at most once per ``window`` seconds; count what is held back meanwhile."""

    window: float
    max_keys: int = DEFAULT_MAX_KEYS
    # key -> when it was last admitted, oldest first (re-inserted on every admission).
    _admitted_at: dict[K, float] = field(default_factory=dict)
    # key -> events held back since its last admission.
    _held: dict[K, int] = field(default_factory=dict)

    def admit(self, key: K, now: float) -> int | None:
        """``None`` when ``key`` was admitted less than ``window`` ago (this event is counted
        as held back); otherwise admit it and return how many were held back since the
        previous admission (0 for the first)."""
        last = self._admitted_at.get(key)
        if last is not None and now - last < self.window:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._admitted_at.pop(key, None)
        self._make_room(now)
        self._admitted_at[key] = now
        return self._held.pop(key, 0)

    def _make_room(self, now: float) -> None:
        """Below ``max_keys``: forget the expired keys, oldest first, then (still full) the
        oldest one, which may then be admitted again before its window ends."""
        if len(self._admitted_at) < self.max_keys:
            return
        for key, at in list(self._admitted_at.items()):
            if now - at < self.window:
                break
            self._forget(key)
        while len(self._admitted_at) >= self.max_keys:
            self._forget(next(iter(self._admitted_at)))

    def _forget(self, key: K) -> None:
        del self._admitted_at[key]
        self._held.pop(key, None)
