"""A SIGTERM whose exception Python drops (raised while a weakref callback runs: "Exception ignored in ...")
still stops `imr retrain`: the run went on to its end before (seen once in CI, exit 1 instead of 143)."""

from __future__ import annotations

import os
import signal
import weakref

import pytest

from imr_triage.commands.retrain import RunInterrupted, _stopped_cleanly_on_sigterm


class _Thing:
    pass


def test_a_sigterm_raised_inside_a_weakref_callback_is_raised_again_at_the_next_check() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with _stopped_cleanly_on_sigterm() as pending:
        def callback(_ref: object) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs here, inside the callback: CPython drops its exception
                pass

        thing = _Thing()
        ref = weakref.ref(thing, callback)
        del thing  # the callback runs now; its exception is printed and ignored
        assert ref() is None and pending.signum == signal.SIGTERM
        with pytest.raises(RunInterrupted) as stopped:
            pending.check()
        assert stopped.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before  # the previous handler is back


def test_no_signal_no_interruption() -> None:
    with _stopped_cleanly_on_sigterm() as pending:
        pending.check()
    assert pending.signum is None
