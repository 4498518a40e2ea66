"""The heap: pausing Python's cycle collector while large acyclic data is built.

Reading a 100k-resource snapshot creates some ten million dictionaries,
lists and strings, and evaluating it hundreds of thousands of results.
None of them form reference cycles (JSON cannot; results point at checks
and resources, never back), so reference counting frees them all, yet the
cycle collector, triggered by allocation counts, walks the growing heap
again and again while they are made: measured on the benchmark's snapshot,
three quarters of ``json.loads``'s time. Pausing it for the duration, and
moving what was made to the oldest generation when it resumes, leaves no
walk at all until the next full collection. Cyclic garbage made meanwhile
is not lost, only collected later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "unwalked_at_exit"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector inside the block (nested blocks and an already paused collector are left alone)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # What the block made is old now: into the oldest generation, unwalked (freeze, then unfreeze). Else
        # the young generation holds all of it, and the next allocation has the collector walk it whole.
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def unwalked_at_exit() -> None:
    """At the end of a process: move every object into the permanent generation, which no collection walks.

    The interpreter's shutdown runs the cycle collector once more over
    whatever is still alive. After an audit that is the whole snapshot and
    its results (the views a result set keeps point back at it), and that
    last walk, measured on the benchmark's 100k-resource snapshot, took 0.9
    s of CPU to free memory the operating system takes back at once anyway.
    Only for a process that is ending: the console script calls this as it
    exits, never the library or ``CliRunner``, whose process goes on.
    """
    gc.freeze()
