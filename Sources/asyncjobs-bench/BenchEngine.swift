import AsyncJobs
import Logging
import ServiceLifecycle

/// A job queue over the store under test with its worker services running, as an application that
/// embeds the engine runs them.
enum BenchEngine {
    /// The tenant every benchmark job belongs to.
    static let tenant = TenantID("bench")
    /// The benchmark's job type: a handler that does nothing.
    static let noopType = "bench.noop"

    /// Runs `body` with a queue whose worker pool (of `concurrency` slots) is running, then shuts
    /// the services down gracefully.
    static func withRunningQueue<Result: Sendable>(
        store: any JobStore,
        changeFeed: (any JobChangeFeed)?,
        handler: JobHandler,
        concurrency: Int,
        logger: Logger,
        _ body: @Sendable (JobQueue) async throws -> Result
    ) async throws -> Result {
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([handler]))
        let services = queue.workerServices(
            pool: WorkerPoolConfiguration(concurrency: concurrency, workerID: "bench"),
            retention: nil,
            changeFeed: changeFeed,
            logger: logger
        )
        let group = ServiceGroup(services: services, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let result = try await body(queue)
            await group.triggerGracefulShutdown()
            try await tasks.next()
            return result
        }
    }
}
