"""Run a module under cProfile that records only while asked to (`BENCH_PROFILE`).

    python -m benchmarks._profiled OUT.prof -m MODULE [ARGS...]

The profiler starts on SIGUSR1 (the benchmark sends it when its measured window opens), so
start-up and the notices sent before the measurement stay out of the figures; the stats are
written to OUT.prof when the process exits (SIGTERM ends the bot normally). Read them with
`python -m pstats OUT.prof`. `BENCH_PROFILE_CLOCK=cpu` times the main thread's CPU instead of
wall time.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import runpy
import signal
import sys
import time


def main() -> None:
    out, flag, module, *rest = sys.argv[1:]
    if flag != "-m":
        raise SystemExit("usage: python -m benchmarks._profiled OUT.prof -m MODULE [ARGS...]")
    # BENCH_PROFILE_CLOCK=cpu: the main thread's CPU time (what the event loop itself costs,
    # without time spent waiting for the GIL or the machine); default: wall time.
    cpu = os.environ.get("BENCH_PROFILE_CLOCK") == "cpu"
    profile = cProfile.Profile(time.thread_time) if cpu else cProfile.Profile()
    recording = False

    def start(*_: object) -> None:
        nonlocal recording
        if not recording:
            recording = True
            profile.enable()

    def write() -> None:
        if recording:
            profile.disable()
            profile.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    atexit.register(write)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
