public import Logging
public import ServiceLifecycle
import Foundation
import Synchronization

/// Claims jobs from the store and runs their handlers, up to a concurrency limit.
///
/// Each running job holds a lease that a heartbeat renews; the handler is stopped (by task
/// cancellation) when the client cancels, when the lease is lost, when the type's timeout passes, or
/// when a graceful shutdown's grace period ends, in which case the job goes back to the queue.
public struct WorkerPool: Service {
    let queue: JobQueue
    let configuration: WorkerPoolConfiguration
    let logger: Logger

    /// Creates a worker pool for `queue`.
    public init(queue: JobQueue, configuration: WorkerPoolConfiguration = .init(), logger: Logger = Logger(label: "asyncjobs.worker")) {
        self.queue = queue
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let shutdown = Latch()
        let drained = Latch()
        let inFlight = Counter()
        let finishing = Counter()
        let runningByType = TypeCounts()
        let watch = AttemptWatch(store: queue.store, configuration: configuration, logger: logger)

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { pool in
                pool.addTask { await watch.run() }
                await withDiscardingTaskGroup { group in
                    group.addTask {
                        await shutdown.wait()
                        if inFlight.value == 0 { return }
                        await withTaskGroup(of: Void.self) { grace in
                            grace.addTask { try? await Task.sleep(for: configuration.shutdownGracePeriod) }
                            grace.addTask { await drained.wait() }
                            await grace.next()
                            grace.cancelAll()
                        }
                        watch.stopAll(.shutdown)
                    }
                    // The registry does not change while the pool runs, and its `types` sorts on every
                    // call: split it once. Offers cover the types without a limit of their own.
                    let types = Self.splitByLimit(queue.registry)
                    // Jobs the store handed over while the pool waited, and whether their hand-over
                    // left no due job this pool claims in the queue. Then the claim waits for the next
                    // wake-up (the submission's own report usually gives one at once), so that it does
                    // not hold the store while the handed jobs start.
                    var handed: [ClaimedJob] = []
                    var handOverEmptiedQueue = false
                    while !shutdown.isSet && !Task.isCancelled {
                        let free = Self.freePlaces(concurrency: configuration.concurrency, running: inFlight.value, finishing: finishing.value)
                        var claimed = handed
                        var claimedFullBatch = false
                        let left = free - handed.count
                        handed = []
                        if left > 0 && !handOverEmptiedQueue {
                            do {
                                let more = try await claim(upTo: left, of: types, running: runningByType)
                                claimedFullBatch = more.count == left
                                claimed += more
                            } catch {
                                logger.error("claiming jobs failed", metadata: ["error": "\(error)"])
                            }
                        }
                        for job in claimed {
                            inFlight.increment()
                            runningByType.add(job.job.type, 1)
                            group.addTask {
                                await execute(job, watch: watch) {
                                    // The handler has ended: its place goes to the next job while
                                    // this one's end is being written.
                                    finishing.increment()
                                    runningByType.add(job.job.type, -1)
                                    let left = inFlight.decrement()
                                    if left == 0 && shutdown.isSet { drained.set() }
                                    queue.wakeup.signal()
                                }
                                // Wake the claim loop only if the outcomes being written were what
                                // held it back; the handler's end has already woken it otherwise.
                                if finishing.decrement() >= configuration.concurrency { queue.wakeup.signal() }
                            }
                        }
                        // A full batch means there may be more waiting: claim again at once.
                        if claimedFullBatch { continue }
                        // Only an idle pool offers: a busy one is woken by its own handlers' ends, and
                        // offers there cost throughput (a wake-up and a claim per hand-over).
                        let offer = inFlight.value > 0 ? nil : offerPlaces(
                            Self.freePlaces(concurrency: configuration.concurrency, running: 0, finishing: finishing.value),
                            for: types.unlimited
                        )
                        await queue.wakeup.wait(timeout: configuration.pollInterval)
                        handOverEmptiedQueue = false
                        if let offer {
                            handed = await offer.end()
                            // Fewer jobs than places: the last transaction that handed jobs over found
                            // no more due jobs of the offered types. Only if those are all the pool's
                            // types, as one with a limit of its own may have been queued beside them.
                            // A later submission signals the wake-up, so its job is not missed.
                            handOverEmptiedQueue = !handed.isEmpty && handed.count < offer.limit && types.limited.isEmpty
                        }
                    }
                    // Handed over as the pool stopped: back to the queue for the next worker. (If
                    // the pool's task was cancelled rather than shut down, the release may fail;
                    // the leases then lapse, as those of running jobs do.)
                    for job in handed {
                        _ = try? await queue.store.release(job.lease, now: Date())
                    }
                }
                // Every attempt has ended: nothing is left to watch.
                pool.cancelAll()
            }
        } onGracefulShutdown: {
            shutdown.set()
            queue.wakeup.signal()
        }
    }

    /// How many jobs the pool may claim now: handlers up to `concurrency`, and with the jobs whose
    /// outcome is still being written, up to twice that, so that a slow store holds claims back
    /// instead of piling up leases.
    static func freePlaces(concurrency: Int, running: Int, finishing: Int) -> Int {
        max(0, min(concurrency - running, 2 * concurrency - running - finishing))
    }

    /// Offers the store `places` for jobs of `types`, to be claimed by the transactions that submit
    /// them while the pool waits; `nil` when there is nothing to offer or the store takes no offers.
    func offerPlaces(_ places: Int, for types: [String]) -> WaitingClaim? {
        guard places > 0, !types.isEmpty else { return nil }
        let wakeup = queue.wakeup
        let offer = WaitingClaim(workerID: configuration.workerID, types: types, limit: places, leaseDuration: configuration.leaseDuration) {
            wakeup.signal()
        }
        return queue.store.handOffSubmissions(to: offer) ? offer : nil
    }

    /// Claims up to `free` jobs: types without a concurrency limit of their own in one claim, then
    /// each limited type that has room, at most its spare capacity.
    func claim(upTo free: Int, of types: TypesByLimit, running: TypeCounts) async throws -> [ClaimedJob] {
        var claimed: [ClaimedJob] = []
        var batches: [(types: [String], limit: Int)] = types.unlimited.isEmpty ? [] : [(types.unlimited, free)]
        for (type, limit) in types.limited {
            let spare = limit - running.count(type)
            if spare > 0 { batches.append(([type], spare)) }
        }
        for batch in batches {
            let left = free - claimed.count
            if left <= 0 { break }
            let now = Date()
            claimed += try await queue.store.claim(
                ClaimRequest(
                    workerID: configuration.workerID,
                    types: batch.types,
                    limit: min(left, batch.limit),
                    leaseExpiry: now.adding(configuration.leaseDuration),
                    now: now
                )
            )
        }
        return claimed
    }

    /// Runs one attempt and records how it ended. `handlerEnded` is called once, when the handler
    /// has returned or been stopped and before the outcome is written, so that the pool can start
    /// the next job meanwhile.
    func execute(_ claimed: ClaimedJob, watch: AttemptWatch, handlerEnded: () -> Void) async {
        let job = claimed.job
        let logger = jobLogger(for: job)

        guard let handler = queue.registry.handler(for: job.type) else {
            handlerEnded()
            // Claims are filtered by type, so this only happens if the registry changed under us.
            _ = try? await queue.store.fail(
                claimed.lease,
                failure: JobFailure(code: "unknown_job_type", message: "no handler for job type '\(job.type)'"),
                retryAt: nil,
                now: Date()
            )
            return
        }

        let progress = ProgressTracker(startedAt: job.startedAt ?? Date(), signalling: watch.wakeup)
        let attempt = RunningAttempt(claimed, progress: progress)
        let context = JobContext(job: job, logger: logger, progress: progress, results: queue.results)
        queue.running.register(attempt)
        watch.add(attempt, timeout: handler.options.timeout)
        defer {
            watch.remove(attempt)
            queue.running.unregister(attempt)
        }
        logger.debug("job started")

        let ending = await withTaskGroup(of: Void.self) { group -> AttemptEnding in
            group.addTask {
                do {
                    attempt.stop(.finished(.success(try await handler.run(context))))
                } catch {
                    attempt.stop(.finished(.failure(error)))
                }
            }
            let ending = await withTaskCancellationHandler {
                await attempt.ending()
            } onCancel: {
                attempt.stop(.shutdown)
            }
            // Stops the handler if it is still running; the group then waits for it to notice, so no
            // work outlives its attempt.
            group.cancelAll()
            return ending
        }
        handlerEnded()
        await finish(claimed, handler: handler, context: context, ending: ending, logger: logger)
    }

    func jobLogger(for job: Job) -> Logger {
        var logger = self.logger
        logger[metadataKey: "job.id"] = .string(job.id.rawValue)
        logger[metadataKey: "job.type"] = .string(job.type)
        logger[metadataKey: "job.attempt"] = .stringConvertible(job.attempt)
        return logger
    }

    func finish(_ claimed: ClaimedJob, handler: JobHandler, context: JobContext, ending: AttemptEnding, logger: Logger) async {
        let lease = claimed.lease
        let job = claimed.job
        let now = Date()
        do {
            switch ending {
            case .finished(.success(let outcome)):
                if try await queue.store.complete(lease, result: context.result, itemErrors: outcome.itemErrors, now: now) {
                    logger.debug("job succeeded")
                } else {
                    logger.warning("job finished after losing its lease; its result is discarded")
                    await discardResult(of: context)
                }
            case .finished(.failure(let error)):
                await discardResult(of: context)
                let failure: JobFailure
                let retryable: Bool
                switch error {
                case let error as JobAttemptError:
                    failure = JobFailure(code: error.code, message: error.message)
                    retryable = error.isRetryable
                case let error as JobError where error.code == .invalidParameters:
                    failure = JobFailure(code: error.code.rawValue, message: error.message)
                    retryable = false
                default:
                    failure = JobFailure(code: "handler_error", message: "\(error)")
                    retryable = true
                }
                try await recordFailure(failure, retryable: retryable, claimed: claimed, handler: handler, now: now, logger: logger)
            case .timedOut:
                await discardResult(of: context)
                let failure = JobFailure(code: "timeout", message: "attempt \(job.attempt) ran longer than the \(handler.options.timeout) limit for '\(job.type)'")
                try await recordFailure(failure, retryable: true, claimed: claimed, handler: handler, now: now, logger: logger)
            case .cancelledByClient:
                await discardResult(of: context)
                logger.info("job cancelled while running")
            case .leaseLost(let state):
                await discardResult(of: context)
                logger.warning("lease lost; another worker owns the job now", metadata: ["job.state": "\(state.map(\.rawValue) ?? "deleted")"])
            case .shutdown:
                await discardResult(of: context)
                if try await queue.store.release(lease, now: now) {
                    logger.notice("job released to the queue at shutdown")
                }
            }
        } catch {
            // The lease will lapse and the reaper will return the job to the queue.
            logger.error("recording the end of a job failed", metadata: ["error": "\(error)"])
        }
    }

    private func recordFailure(
        _ failure: JobFailure,
        retryable: Bool,
        claimed: ClaimedJob,
        handler: JobHandler,
        now: Date,
        logger: Logger
    ) async throws {
        let attempt = claimed.lease.attempt
        let retryAt = retryable && attempt < claimed.job.maxAttempts
            ? now.adding(handler.options.backoff.delay(afterAttempt: attempt))
            : nil
        _ = try await queue.store.fail(claimed.lease, failure: failure, retryAt: retryAt, now: now)
        if let retryAt {
            logger.notice("attempt failed; will retry", metadata: ["error": "\(failure.message)", "retry.at": "\(retryAt)"])
        } else {
            logger.warning("job failed", metadata: ["error": "\(failure.message)"])
        }
    }

    private func discardResult(of context: JobContext) async {
        if let result = context.result {
            try? await queue.results.delete(key: result.key)
        }
    }
}

/// The jobs in flight on this node, by type.
final class TypeCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func count(_ type: String) -> Int {
        counts.withLock { $0[type] ?? 0 }
    }

    func add(_ type: String, _ delta: Int) {
        counts.withLock { $0[type, default: 0] += delta }
    }
}

/// A shared count of the jobs in flight.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .acquiring) }

    func increment() {
        count.add(1, ordering: .acquiringAndReleasing)
    }

    /// Decrements and returns the new value.
    func decrement() -> Int {
        count.subtract(1, ordering: .acquiringAndReleasing).newValue
    }
}
