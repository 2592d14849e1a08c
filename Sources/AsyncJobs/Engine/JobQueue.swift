public import Foundation

/// The front door of the engine: validates and stores submissions, cancels and deletes, and wakes
/// this node's workers. Copies share the same store and signals.
///
/// ```swift
/// let queue = JobQueue(store: store, results: results, registry: JobRegistry([DemoCSVJob.handler()]))
/// let submission = try await queue.submit(tenant: tenant, type: "demo.csv", parameters: ["rows": 10])
/// ```
public struct JobQueue: Sendable {
    /// Where jobs live.
    public let store: any JobStore
    /// Where results live.
    public let results: any ResultStore
    /// The job types this node knows.
    public let registry: JobRegistry
    /// Signalled when there may be work: a submission, a requeued lease, a finished job.
    public let wakeup: Wakeup
    /// Counts this node's deletions of finished jobs and their results, for caches of finished jobs.
    public let finishedJobChanges: FinishedJobChanges
    let running: RunningJobs

    /// Creates a queue over a store.
    public init(store: any JobStore, results: any ResultStore, registry: JobRegistry) {
        self.store = store
        self.results = results
        self.registry = registry
        self.wakeup = Wakeup()
        self.finishedJobChanges = FinishedJobChanges()
        self.running = RunningJobs()
    }

    /// Validates and durably stores a job, then wakes the workers.
    ///
    /// Throws ``JobError/Code/unknownJobType`` or ``JobError/Code/invalidParameters`` before anything
    /// is stored, and ``JobError/Code/idempotencyKeyReused`` when the key was used for another request.
    public func submit(
        tenant: TenantID,
        type: String,
        parameters: JobParameters,
        idempotencyKey: String? = nil,
        now: Date = Date()
    ) async throws -> Submission {
        let request = JobRequest(type: type, parameters: parameters, idempotencyKey: idempotencyKey)
        let submission = try await store.submit(try newJob(request, tenant: tenant, now: now))
        if submission.created { wakeup.signal() }
        return submission
    }

    /// Validates every job, then stores them all in one transaction and wakes the workers: the way
    /// to enqueue many jobs at once.
    ///
    /// Nothing is stored when any job fails validation or reuses an idempotency key for another
    /// request (the errors of ``submit(tenant:type:parameters:idempotencyKey:now:)``). Returns one
    /// ``Submission`` per request, in order.
    ///
    /// ```swift
    /// let submissions = try await queue.submit(tenant: tenant, (0..<1000).map { JobRequest(type: "demo.csv", parameters: ["rows": .number(Double($0))]) })
    /// ```
    public func submit(tenant: TenantID, _ requests: [JobRequest], now: Date = Date()) async throws -> [Submission] {
        let jobs = try requests.map { try newJob($0, tenant: tenant, now: now) }
        guard !jobs.isEmpty else { return [] }
        let submissions = try await store.submit(jobs)
        if submissions.contains(where: \.created) { wakeup.signal() }
        return submissions
    }

    /// The validated job for a request; throws ``JobError/Code/unknownJobType`` or
    /// ``JobError/Code/invalidParameters``.
    func newJob(_ request: JobRequest, tenant: TenantID, now: Date) throws -> NewJob {
        guard let handler = registry.handler(for: request.type) else {
            throw JobError(.unknownJobType, "unknown job type '\(request.type)'; known types: \(registry.types.joined(separator: ", "))")
        }
        return NewJob(
            tenantID: tenant,
            type: request.type,
            parameters: try handler.validate(request.parameters),
            maxAttempts: handler.options.maxAttempts,
            idempotencyKey: request.idempotencyKey,
            // The fingerprint covers what the client sent, so a replay with other (even if
            // equivalent after defaults) parameters is a different request.
            requestFingerprint: NewJob.fingerprint(type: request.type, parameters: request.parameters),
            now: now
        )
    }

    /// The tenant's job, or `nil` when it does not exist or belongs to another tenant.
    public func job(_ id: JobID, tenant: TenantID) async throws -> Job? {
        try await store.job(id, tenant: tenant)
    }

    /// Cancels a job; a handler running on this node is stopped at once, one on another node at its
    /// next heartbeat.
    public func cancel(_ id: JobID, tenant: TenantID, now: Date = Date()) async throws -> CancelOutcome {
        let outcome = try await store.cancel(id, tenant: tenant, now: now)
        if case .cancelled(_, wasRunning: true) = outcome {
            running.cancel(id)
        }
        return outcome
    }

    /// Forgets a terminal job and deletes its result.
    public func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome {
        let outcome = try await store.delete(id, tenant: tenant)
        if case .deleted(let job) = outcome {
            finishedJobChanges.record()
            if let result = job.result { try await results.delete(key: result.key) }
        }
        return outcome
    }
}
