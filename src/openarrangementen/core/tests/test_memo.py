"""The batch memo (issue #14): remembered inside a batch, never outside one."""

from openarrangementen.core.memo import batch, once


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_outside_a_batch_every_call_computes():
    calls, compute = counter()
    assert [once(("x",), compute) for _ in range(3)] == [1, 2, 3]
    assert len(calls) == 3


def test_inside_a_batch_a_key_is_computed_once_and_forgotten_after():
    calls, compute = counter()
    with batch():
        assert [once(("x",), compute) for _ in range(3)] == [1, 1, 1]
        assert once(("y",), compute) == 2  # another key is its own
        with batch():  # a nested batch shares the outer one
            assert once(("x",), compute) == 1
    assert once(("x",), compute) == 3
    assert len(calls) == 3
