public import Logging
public import ServiceLifecycle
public import Foundation

/// Puts jobs whose lease lapsed (a crashed, killed or partitioned worker) back in the queue: once at
/// start-up and then every `interval`. Any number of nodes may run one; the store makes each change once.
public struct LeaseReaper: Service {
    let queue: JobQueue
    let interval: Duration
    let logger: Logger

    /// Creates a reaper.
    /// - Parameters:
    ///   - queue: The queue whose store to sweep and whose workers to wake.
    ///   - interval: Time between sweeps; a lapsed job waits at most this long after its lease expires.
    ///   - logger: Where sweeps that changed something are logged.
    public init(queue: JobQueue, interval: Duration = .seconds(5), logger: Logger = Logger(label: "asyncjobs.reaper")) {
        self.queue = queue
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await sweep() }
    }

    /// One sweep; returns how many jobs changed.
    @discardableResult
    public func sweep(now: Date = Date()) async -> Int {
        do {
            let changed = try await queue.store.requeueExpiredLeases(now: now)
            if changed > 0 {
                logger.notice("returned jobs with lapsed leases to the queue", metadata: ["jobs": "\(changed)"])
                queue.wakeup.signal()
            }
            return changed
        } catch {
            logger.error("lease sweep failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
