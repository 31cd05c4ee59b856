"""A memo for one batch of work (issue #14): what does not change while a batch of iWmo
messages is received (the parties in the headers, a link's settings, a region's product
codes, a municipality's PAs) is read once per batch instead of once per message.

Outside `batch()` nothing is remembered: a single request reads fresh, as before. Only
facts the batch itself does not change may be memoised; what it writes (reports, trajects,
messages) is always read from the database.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("openarrangementen_batch_memo", default=None)


@contextmanager
def batch() -> Iterator[dict]:
    """Remember `once(...)` answers until the block ends (nested blocks share the outer)."""
    if _memo.get() is not None:
        yield _memo.get()
        return
    token = _memo.set({})
    try:
        yield _memo.get()
    finally:
        _memo.reset(token)


def once(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, remembered under `key` while a batch runs."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
