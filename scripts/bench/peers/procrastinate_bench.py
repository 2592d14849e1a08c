"""procrastinate against PostgreSQL: its async worker in this process (`run_worker_async`,
concurrency 32, LISTEN/NOTIFY on, finished jobs kept as it does by default), a no-op async task.

Batched mode defers --batch-size jobs per `batch_defer_async` call; single mode defers one job per
`defer_async` call from --producers tasks. A throughput run ends when no job is `todo` or `doing`.
"""
import asyncio

from procrastinate import App, PsycopgConnector

import common

args = common.arguments(__doc__)
concurrency = args.concurrency or 32
app = App(connector=PsycopgConnector(conninfo=args.postgres_url, max_size=max(10, args.producers + 4)))
started = {}
started_event = asyncio.Event()


@app.task(name="noop")
async def noop(n):
    if args.benchmark == "pickup":
        started[n] = common.now()
        started_event.set()


async def unfinished():
    rows = await app.connector.execute_query_all_async(
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    )
    return rows[0]["n"]


async def main():
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        worker = asyncio.create_task(app.run_worker_async(concurrency=concurrency, wait=True, install_signal_handlers=False))
        try:
            if args.benchmark == "throughput":
                start = common.now()
                if args.mode == "batched":
                    for first in range(0, args.jobs, args.batch_size):
                        await noop.batch_defer_async(*({"n": n} for n in range(first, min(args.jobs, first + args.batch_size))))
                else:
                    async def produce(producer):
                        for n in range(producer, args.jobs, args.producers):
                            await noop.defer_async(n=n)
                    await asyncio.gather(*(produce(p) for p in range(args.producers)))
                while await unfinished() > 0:
                    await asyncio.sleep(0.005)
                common.throughput_report("procrastinate", "postgres", args, common.now() - start, concurrency=concurrency)
            else:
                await asyncio.sleep(0.5)  # the worker's LISTEN is in place
                async def enqueue(n):
                    await noop.defer_async(n=n)
                from_call, from_return = await common.pickup_async(args, enqueue, started, started_event)
                common.pickup_report("procrastinate", "postgres", from_call, from_return, concurrency=concurrency)
        finally:
            worker.cancel()
            try:
                await worker
            except asyncio.CancelledError:
                pass


asyncio.run(main())
