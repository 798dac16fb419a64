"""A SIGTERM or Ctrl-C whose exception Python drops (raised while a weakref callback runs: "Exception ignored
in ...") still stops `imr retrain`: the run went on to its end before (seen in CI, exit 1 instead of 143 for
SIGTERM, and later instead of 130 for Ctrl-C)."""

from __future__ import annotations

import os
import signal
import weakref
from collections.abc import Iterator

import pytest

from imr_triage.commands.retrain import RunInterrupted, _stopped_cleanly_on_signals


class _Thing:
    pass


@pytest.fixture
def python_ctrl_c() -> Iterator[None]:
    """SIGINT as a plain `python` process has it (a test runner's worker may have set its own)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_raised_inside_a_weakref_callback_is_raised_again_at_the_next_check(
    sig: signal.Signals, python_ctrl_c: None
) -> None:
    before = signal.getsignal(sig)
    with _stopped_cleanly_on_signals() as pending:
        def callback(_ref: object) -> None:
            os.kill(os.getpid(), sig)
            for _ in range(1000):  # the handler runs here, inside the callback: CPython drops its exception
                pass

        thing = _Thing()
        ref = weakref.ref(thing, callback)
        del thing  # the callback runs now; its exception is printed and ignored
        assert ref() is None and pending.signum == sig
        with pytest.raises(RunInterrupted) as stopped:
            pending.check()
        assert stopped.value.signum == sig
    assert signal.getsignal(sig) == before  # the previous handler is back


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """A run started in the background with SIGINT ignored is not made stoppable by Ctrl-C."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _stopped_cleanly_on_signals():
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGINT, before)


def test_no_signal_no_interruption() -> None:
    with _stopped_cleanly_on_signals() as pending:
        pending.check()
    assert pending.signum is None
