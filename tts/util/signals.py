"""Signals: SIGTERM and SIGHUP end a run the way Ctrl-C does; children die with their parent."""

from __future__ import annotations

import _thread
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

# Linux prctl option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1
# Signals that mean "stop now" besides SIGINT: kill's default, and a closed terminal.
ENDING_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
                       if s is not None)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived. A KeyboardInterrupt, so every Ctrl-C path cleans up for it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's code for a command ended by this signal: 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum


def raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def handle_ending_signals() -> None:
    """From now on SIGTERM and SIGHUP raise Terminated in the main thread (ignored ones stay so)."""
    for signum in ENDING_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's choice is kept
            signal.signal(signum, raise_terminated)


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel kill the child when this process dies, even by
    SIGKILL (Linux only; None elsewhere, where ending the child on exit is best effort)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
    return preexec


def interrupt_main() -> None:
    """Wake the main thread with a KeyboardInterrupt, even from a blocking write (another
    thread stopping playback): a real SIGINT, where the system can send one to a thread."""
    main = threading.main_thread().ident
    if main is not None and hasattr(signal, "pthread_kill"):
        signal.pthread_kill(main, signal.SIGINT)
    else:
        _thread.interrupt_main()
