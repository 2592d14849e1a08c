"""pgqueuer against PostgreSQL: its QueueManager in this process over `Queries` on an asyncpg connection (as its
docs set it up), a no-op entrypoint, dequeue batch size 100, LISTEN/NOTIFY wake-ups.

Batched mode enqueues --batch-size jobs per `Queries.enqueue` call (its list form, one statement);
single mode enqueues one job per call from --producers tasks over an asyncpg pool. pgqueuer deletes
a job's row when it has finished (through its buffered status log), so a throughput run ends when
the queue table is empty.
"""
import asyncio

import asyncpg
from pgqueuer import AsyncpgDriver, AsyncpgPoolDriver, Queries, QueueManager

import common

args = common.arguments(__doc__)
BATCH = 100


async def main():
    setup = await asyncpg.connect(args.postgres_url)
    setup_queries = Queries(AsyncpgDriver(setup))
    if not await setup_queries.schema_is_installed():
        await setup_queries.install()
    worker_connection = await asyncpg.connect(args.postgres_url)
    manager = QueueManager(Queries(AsyncpgDriver(worker_connection)))
    started = {}
    started_event = asyncio.Event()

    @manager.entrypoint("noop")
    async def noop(job):
        if args.benchmark == "pickup":
            started[int(job.payload)] = common.now()
            started_event.set()

    running = asyncio.create_task(manager.run(batch_size=BATCH))
    pool = await asyncpg.create_pool(args.postgres_url, min_size=4, max_size=max(4, args.producers))
    queries = Queries(AsyncpgPoolDriver(pool))
    try:
        if args.benchmark == "throughput":
            start = common.now()
            if args.mode == "batched":
                for first in range(0, args.jobs, args.batch_size):
                    count = min(args.batch_size, args.jobs - first)
                    await queries.enqueue(["noop"] * count, [str(first + i).encode() for i in range(count)], [0] * count)
            else:
                async def produce(producer):
                    for n in range(producer, args.jobs, args.producers):
                        await queries.enqueue("noop", str(n).encode())
                await asyncio.gather(*(produce(p) for p in range(args.producers)))
            while await setup.fetchval("SELECT count(*) FROM pgqueuer") > 0:
                await asyncio.sleep(0.005)
            common.throughput_report("pgqueuer", "postgres", args, common.now() - start, dequeue_batch_size=BATCH)
        else:
            async def enqueue(n):
                await queries.enqueue("noop", str(n).encode())
            from_call, from_return = await common.pickup_async(args, enqueue, started, started_event)
            common.pickup_report("pgqueuer", "postgres", from_call, from_return, dequeue_batch_size=BATCH)
    finally:
        manager.shutdown.set()
        await running
        await pool.close()
        await worker_connection.close()
        await setup.close()


asyncio.run(main())
