"""The `vardmote` console script: tunes the garbage collector for a short-lived command, then runs it.

A vardmote command is one short process that imports large SDKs and builds many small objects. With
the default thresholds the cyclic collector walks those objects over and over for little memory back:
startup collects nothing, what startup imports lives until exit, and the final collection at exit
only delays it. The collector stays on (with larger thresholds) so that long commands stay bounded.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (100_000, 50, 100)


def main() -> None:
    gc.disable()
    from vardmote.cli.app import app

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()
    try:
        app()
    finally:
        gc.freeze()
