"""Worker processes that one bad file cannot take down.

``run`` hands tasks (lists of items whose first element is a file index) to worker processes
over pipes. Each worker tells the parent, through shared memory, which file it is on and
since when (``started``). A worker that spends more than ``budget`` seconds on one file is
killed; a worker killed by the system (out of memory) is noticed by its exit. Either way
that file is reported lost, the other files of its task are handed out again and a new
worker takes its place: a corpus of thousands of files loses only the bad one.
"""
from __future__ import annotations

import gc
import os
import signal
import time
from collections import deque
from multiprocessing.connection import wait

_SLOT = None  # in a worker: (index, since) shared with the parent


def started(index: int) -> None:
    """Called by a worker's task when it begins file ``index`` (-1: between files)."""
    if _SLOT is not None:
        _SLOT[1].value = time.monotonic()
        _SLOT[0].value = index


def _main(conn, slot, fn, args, retry_args):
    global _SLOT
    _SLOT = slot
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        items, retry = msg
        conn.send(fn(items, *(retry_args if retry else args)))


class _Worker:
    def __init__(self, ctx, fn, args, retry_args):
        self.index = ctx.Value("q", -1, lock=False)
        self.since = ctx.Value("d", 0.0, lock=False)
        self.conn, child = ctx.Pipe()
        gc.freeze()  # forked: the child's collections leave the inherited objects alone
        try:
            self.proc = ctx.Process(target=_main, args=(child, (self.index, self.since), fn, args, retry_args),
                                    daemon=True)
            self.proc.start()
        finally:
            gc.unfreeze()
        child.close()
        self.task = None

    def give(self, task):
        self.task = task
        self.index.value = -1
        self.conn.send(task)

    def kill(self):
        try:
            self.proc.kill()
        except (OSError, AttributeError):
            pass
        self.proc.join(5)
        self.conn.close()


def _death(exitcode) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        why = " (out of memory?)" if -exitcode == getattr(signal, "SIGKILL", 9) else ""
        return f"the worker process reading it was killed by the system ({name}){why}"
    return f"the worker process reading it ended unexpectedly (exit code {exitcode})"


def start(ctx, workers: int, fn, args, retry_args) -> list:
    """Start the worker processes (before this process starts any thread, such as a progress
    bar's: forking a process with threads can deadlock its child)."""
    return [_Worker(ctx, fn, args, retry_args) for _ in range(workers)]


def stop(workers: list) -> None:
    """Kill the workers of ``start`` still alive (``run`` ends its own; this is for a run
    that never started)."""
    for w in workers:
        if w.proc.is_alive():
            w.kill()


def run(tasks, fn, args, retry_args, *, workers: int, budget: float | None, ctx, started=None):
    """Yield ``("done", task_items, result)`` for each finished task and ``("lost", index,
    reason)`` for each file that timed out or whose worker died. ``fn(items, *args)`` runs in
    a worker (of ``started``, from ``start``, else started here); items handed out again after
    a loss run with ``retry_args``."""
    queue = deque((list(t), False) for t in tasks)
    pool: list[_Worker] = list(started or [])
    idle: list[_Worker] = list(pool)
    tries: dict[int, int] = {}
    try:
        while queue or any(w.task is not None for w in pool):
            while queue and (idle or len(pool) < workers):
                w = idle.pop() if idle else _Worker(ctx, fn, args, retry_args)
                if w not in pool:
                    pool.append(w)
                w.give(queue.popleft())
            busy = [w for w in pool if w.task is not None]
            now = time.monotonic()
            timeout = 0.5
            if budget is not None:
                for w in busy:
                    if w.index.value >= 0:
                        timeout = min(timeout, max(0.0, w.since.value + budget - now))
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout))
            for w in busy:
                lost = None
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                    except (EOFError, OSError):
                        w.proc.join(5)
                        lost = _death(w.proc.exitcode)
                    else:
                        items = w.task[0]
                        w.task = None
                        idle.append(w)
                        yield "done", items, result
                        continue
                elif w.proc.sentinel in ready:
                    w.proc.join(5)
                    lost = _death(w.proc.exitcode)
                elif (budget is not None and w.index.value >= 0
                      and time.monotonic() - w.since.value > budget):
                    lost = f"took longer than {budget:g} s"
                if lost is None:
                    continue
                culprit = w.index.value
                items = w.task[0]
                w.kill()
                pool.remove(w)
                rest = [it for it in items if it[0] != culprit]
                if culprit >= 0 and len(rest) < len(items):
                    yield "lost", culprit, lost
                else:  # died between files: try its files once more, then give them up
                    for it in items:
                        tries[it[0]] = tries.get(it[0], 0) + 1
                    if any(tries[it[0]] > 1 for it in items):
                        for it in items:
                            yield "lost", it[0], lost
                        rest = []
                if rest:
                    queue.append((rest, True))
    finally:
        for w in pool:
            if w.task is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        for w in pool:
            w.proc.join(max(0.0, deadline - time.monotonic()))
            if w.proc.is_alive():
                w.kill()
            else:
                w.conn.close()


def default_budget() -> float | None:
    """Seconds one file may take in a worker: ``$FORESTRY_FILE_TIMEOUT`` (0: no limit), default 300."""
    raw = os.environ.get("FORESTRY_FILE_TIMEOUT", "300")
    try:
        value = float(raw)
    except ValueError:
        return 300.0
    return value if value > 0 else None
