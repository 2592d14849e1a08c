"""huey with its SQLite storage (SqliteHuey, huey's defaults: WAL, SQLite's default synchronous),
its consumer started in this process with worker threads, a no-op task.

Batched mode uses `task.map()`, huey's only call that enqueues many tasks (it enqueues them one by
one); single mode enqueues one task per call from --producers threads. The end of a throughput run
is huey's SIGNAL_COMPLETE for the last task.
"""
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from huey import SqliteHuey, signals

import common

args = common.arguments(__doc__)
directory = None
if args.sqlite_path is None:
    directory = tempfile.mkdtemp(prefix="huey-bench-")
    args.sqlite_path = os.path.join(directory, "huey.db")
workers = args.concurrency or 8
# The consumer polls; these are its shortest documented delays, for the best pick-up it can do.
polling = dict(initial_delay=0.001, backoff=1.15, max_delay=0.01)

huey = SqliteHuey(filename=args.sqlite_path, results=False)
completed = 0
all_done = threading.Event()
lock = threading.Lock()
started = {}
started_event = threading.Event()


@huey.task()
def noop(n):
    if args.benchmark == "pickup":
        started[n] = common.now()
        started_event.set()


@huey.signal(signals.SIGNAL_COMPLETE)
def on_complete(signal, task):
    global completed
    with lock:
        completed += 1
        if completed == args.jobs:
            all_done.set()


consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False, check_worker_health=False, **polling)
consumer.start()
try:
    if args.benchmark == "throughput":
        start = common.now()
        if args.mode == "batched":
            for first in range(0, args.jobs, args.batch_size):
                noop.map(range(first, min(args.jobs, first + args.batch_size)))
        else:
            with ThreadPoolExecutor(args.producers) as pool:
                list(pool.map(noop, range(args.jobs)))
        all_done.wait()
        common.throughput_report("huey", "sqlite", args, common.now() - start, workers=workers, worker_type="thread", **polling)
    else:
        from_call, from_return = [], []
        for n in range(args.jobs):
            threading.Event().wait(args.pause_ms / 1000)
            started_event.clear()
            called = common.now()
            noop(n)
            returned = common.now()
            started_event.wait()
            from_call.append(started[n] - called)
            from_return.append(started[n] - returned)
        common.pickup_report("huey", "sqlite", from_call, from_return, workers=workers, worker_type="thread", **polling)
finally:
    consumer.stop(graceful=True)
    if directory:
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))
        os.rmdir(directory)
