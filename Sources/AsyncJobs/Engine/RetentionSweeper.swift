public import Logging
public import ServiceLifecycle
public import Foundation

/// Forgets jobs that ended longer ago than the retention period, with their result files, in small
/// batches so that no sweep holds long locks. Any number of nodes may run one.
public struct RetentionSweeper: Service {
    let queue: JobQueue
    let retention: Duration
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    /// Creates a sweeper.
    /// - Parameters:
    ///   - queue: The queue whose store and result store to prune.
    ///   - retention: How long a finished job stays readable.
    ///   - interval: Time between sweeps.
    ///   - batchSize: Jobs deleted per statement.
    ///   - logger: Where sweeps that removed something are logged.
    public init(
        queue: JobQueue,
        retention: Duration,
        interval: Duration = .seconds(60),
        batchSize: Int = 500,
        logger: Logger = Logger(label: "asyncjobs.retention")
    ) {
        self.queue = queue
        self.retention = retention
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await sweep() }
    }

    /// Prunes every job that ended before `now` less the retention period; returns how many.
    @discardableResult
    public func sweep(now: Date = Date()) async -> Int {
        let cutoff = now.adding(.zero - retention)
        var pruned = 0
        do {
            while !Task.isCancelled {
                let batch = try await queue.store.pruneFinishedJobs(endedBefore: cutoff, limit: batchSize)
                for job in batch {
                    guard let result = job.result else { continue }
                    do {
                        try await queue.results.delete(key: result.key)
                    } catch {
                        logger.warning("could not delete the result of a pruned job", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                    }
                }
                pruned += batch.count
                if batch.count < batchSize { break }
            }
        } catch {
            logger.error("retention sweep failed", metadata: ["error": "\(error)"])
        }
        if pruned > 0 {
            logger.notice("pruned finished jobs past retention", metadata: ["jobs": "\(pruned)", "ended.before": "\(cutoff)"])
        }
        return pruned
    }
}
