public import Logging
public import ServiceLifecycle
public import Foundation

/// Deletes results older than the result retention period (marking their jobs, which stay readable),
/// forgets jobs that ended longer ago than the job retention period, with their result files, in
/// small batches so that no sweep holds long locks, forgets expired SOAP nonces, and removes what
/// writes interrupted by a crash left in the result store. Any number of nodes may run one.
///
/// ```swift
/// let sweeper = RetentionSweeper(queue: queue, retention: .seconds(30 * 86_400), resultRetention: .seconds(7 * 86_400))
/// ```
public struct RetentionSweeper: Service {
    let queue: JobQueue
    let retention: Duration?
    let resultRetention: Duration?
    let passports: (any PassportStore)?
    let abandonedWriteAge: Duration?
    let interval: Duration
    let batchSize: Int
    let logger: Logger

    /// Creates a sweeper.
    /// - Parameters:
    ///   - queue: The queue whose store and result store to prune.
    ///   - retention: How long a finished job stays readable; `nil` keeps jobs.
    ///   - resultRetention: How long a succeeded job's result stays downloadable; `nil` keeps it as
    ///     long as its job.
    ///   - passports: A passport store whose expired nonces to forget; `nil` for none.
    ///   - abandonedWriteAge: How old an unfinished result write (a temporary file, an incomplete
    ///     multipart upload) must be to count as abandoned by a crashed node and be removed; longer
    ///     than any write takes. `nil` leaves them.
    ///   - interval: Time between sweeps.
    ///   - batchSize: Jobs changed per statement.
    ///   - logger: Where sweeps that removed something are logged.
    public init(
        queue: JobQueue,
        retention: Duration?,
        resultRetention: Duration? = nil,
        passports: (any PassportStore)? = nil,
        abandonedWriteAge: Duration? = .seconds(86_400),
        interval: Duration = .seconds(60),
        batchSize: Int = 500,
        logger: Logger = Logger(label: "asyncjobs.retention")
    ) {
        self.queue = queue
        self.retention = retention
        self.resultRetention = resultRetention
        self.passports = passports
        self.abandonedWriteAge = abandonedWriteAge
        self.interval = interval
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await repeatUntilShutdown(every: interval) { await sweep() } }
            if abandonedWriteAge != nil {
                // A write counts as abandoned only after a day by default, and on S3 each look is a
                // billed listing: once an hour is enough.
                group.addTask {
                    await repeatUntilShutdown(every: max(interval, .seconds(3600))) { await removeAbandonedWrites() }
                }
            }
        }
    }

    /// Removes result writes (temporary files, incomplete multipart uploads) that nobody has touched
    /// for `abandonedWriteAge`; returns how many.
    @discardableResult
    public func removeAbandonedWrites(now: Date = Date()) async -> Int {
        guard let abandonedWriteAge else { return 0 }
        do {
            let removed = try await queue.results.removeAbandonedWrites(startedBefore: now.adding(.zero - abandonedWriteAge))
            if removed > 0 {
                logger.notice("removed result writes abandoned by a crash", metadata: ["writes": "\(removed)"])
            }
            return removed
        } catch {
            logger.warning("removing abandoned result writes failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Expires results past the result retention period, then prunes jobs past the job retention
    /// period; returns how many jobs it pruned.
    @discardableResult
    public func sweep(now: Date = Date()) async -> Int {
        if let passports {
            do {
                try await passports.forgetExpiredNonces(now: now)
            } catch {
                logger.error("forgetting expired nonces failed", metadata: ["error": "\(error)"])
            }
        }
        if let resultRetention {
            await expireResults(finishedBefore: now.adding(.zero - resultRetention), now: now)
        }
        guard let retention else { return 0 }
        let cutoff = now.adding(.zero - retention)
        let pruned = await inBatches("retention sweep") {
            try await queue.store.pruneFinishedJobs(endedBefore: cutoff, limit: batchSize)
        }
        if pruned > 0 {
            logger.notice("pruned finished jobs past retention", metadata: ["jobs": "\(pruned)", "ended.before": "\(cutoff)"])
        }
        return pruned
    }

    /// Marks the results of jobs that finished before `cutoff` as expired and deletes their objects;
    /// returns how many.
    @discardableResult
    public func expireResults(finishedBefore cutoff: Date, now: Date = Date()) async -> Int {
        let expired = await inBatches("result expiry") {
            try await queue.store.expireResults(finishedBefore: cutoff, limit: batchSize, now: now)
        }
        if expired > 0 {
            logger.notice("deleted results past result retention", metadata: ["results": "\(expired)", "finished.before": "\(cutoff)"])
        }
        return expired
    }

    /// Runs `batch` until it returns fewer than a batch, deleting the result of every job it returns.
    private func inBatches(_ what: String, _ batch: () async throws -> [Job]) async -> Int {
        var count = 0
        do {
            while !Task.isCancelled {
                let jobs = try await batch()
                if !jobs.isEmpty { queue.finishedJobChanges.record() }
                for job in jobs {
                    guard let result = job.result else { continue }
                    do {
                        try await queue.results.delete(key: result.key)
                    } catch {
                        logger.warning("could not delete a result", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                    }
                }
                count += jobs.count
                if jobs.count < batchSize { break }
            }
        } catch {
            logger.error("\(what) failed", metadata: ["error": "\(error)"])
        }
        return count
    }
}
