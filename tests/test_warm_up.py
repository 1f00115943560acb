"""``session.warm_up``: the loading happens in a background thread, but the callback that
draws widgets runs where widgets are drawn: on the kernel's event loop when there is one.

A page that opens asks the kernel for every widget's state and the kernel answers on its
event loop; widgets created by the loading thread while that answer was built gave the
page children it did not have ("widget model not found") and a page stuck on "Loading
widget..." (the review app's reload browser test caught it)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from alignment.ui import session


@pytest.fixture
def slow_models(monkeypatch):
    """Loaders that take a moment and record the thread they ran in."""
    ran_in = {}

    def aligner():
        ran_in["aligner"] = threading.current_thread().name
        threading.Event().wait(0.05)

    monkeypatch.setattr(session, "get_aligner", aligner)
    monkeypatch.setattr(session, "get_catalog", lambda: ran_in.setdefault("catalog", threading.current_thread().name))
    return ran_in


def test_in_an_event_loop_the_callback_runs_on_the_loop_not_in_the_loading_thread(slow_models):
    async def kernel():
        done = asyncio.get_running_loop().create_future()
        session.warm_up(lambda error: done.set_result((error, threading.current_thread().name)))
        return await asyncio.wait_for(done, 10)

    error, called_in = asyncio.run(kernel())
    assert error is None and called_in == threading.current_thread().name  # the loop's thread
    assert slow_models["aligner"] == slow_models["catalog"] == "pathway-align-warm-up"


def test_an_error_reaches_the_callback_on_the_loop(monkeypatch):
    def broken():
        raise RuntimeError("the model service did not answer")

    monkeypatch.setattr(session, "get_aligner", broken)

    async def kernel():
        done = asyncio.get_running_loop().create_future()
        session.warm_up(lambda error: done.set_result((error, threading.current_thread().name)))
        return await asyncio.wait_for(done, 10)

    error, called_in = asyncio.run(kernel())
    assert isinstance(error, RuntimeError) and called_in == threading.current_thread().name


def test_without_a_loop_the_callback_runs_in_the_loading_thread(slow_models):
    got = {}
    thread = session.warm_up(lambda error: got.update(error=error, thread=threading.current_thread().name))
    thread.join(10)
    assert got == {"error": None, "thread": "pathway-align-warm-up"}
