"""Draws the report's figures in worker processes while the builder reads its inputs and builds
the tables.

Inside `with Renderer(formats, workers):` a figure function of figures.py only queues its figure
(by name, with its already computed data); the workers, forked when the Renderer is made and with
matplotlib imported before the fork, draw them in parallel. Leaving the block waits for them and
raises the first error. With no workers (one CPU, or no processes to be had) the figures are drawn
in this process as they are asked for.
"""
import os

active = None   # the Renderer whose workers draw this process's figures, if any


def worker_count():
    """Worker processes for the figures: the CPUs this process may use, at most 4; 0 (draw in
    this process) with one CPU."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return 0 if n < 2 else min(4, n)


def _worker_start(formats):
    from . import figures
    global active
    active = None   # a worker draws what it is given
    figures.set_formats(formats)
    figures._load_matplotlib()


def _worker_job(name, args, kw):
    from . import figures
    getattr(figures, name).__wrapped__(*args, **kw)


def _noop():
    return None


class Renderer:
    """Draws the report's figures in the given formats: with workers > 0 in that many forked
    processes (started here, so they are ready while the caller reads its inputs), else in this
    process. A context manager; `wait()` (on a clean exit) raises a worker's error."""

    def __init__(self, formats, workers=0):
        from . import figures
        self.formats = tuple(formats)
        self._pool, self._jobs = None, []
        if workers > 0:
            import concurrent.futures
            import multiprocessing
            # Imported once, here, and shared by the forked workers: each importing it itself
            # would cost its CPU time twice over, and 2 cores are what the report may have.
            figures._load_matplotlib()
            try:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                    initializer=_worker_start, initargs=(self.formats,))
                self._pool.submit(_noop)   # forks the workers now (fork starts them all at once)
            except OSError:   # no processes to be had (a limit): draw here
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def submit(self, name, args, kw):
        self._jobs.append(self._pool.submit(_worker_job, name, args, kw))

    def wait(self):
        try:
            for job in self._jobs:
                job.result()
        finally:
            self._jobs = []

    def __enter__(self):
        from . import figures
        global active
        figures.set_formats(self.formats)
        if self._pool is not None:
            active = self
        return self

    def __exit__(self, *exc):
        from . import figures
        global active
        active = None
        figures.set_formats(figures.DEFAULT_FORMATS)
        if self._pool is None:
            return False
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return False
