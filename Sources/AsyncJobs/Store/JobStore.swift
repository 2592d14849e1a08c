public import Foundation

/// Durable storage of jobs and their leases.
///
/// Every method is atomic. Methods that act on behalf of a worker take its ``Lease`` and succeed only
/// while that lease is the job's current one (fencing): a worker whose lease lapsed, and whose job
/// another worker re-claimed, can never overwrite the job's progress, result or failure.
///
/// Times are passed in rather than read from a clock so that tests can move time explicitly.
/// Each backend runs the same conformance suite (`JobStoreConformance` in the test support module).
public protocol JobStore: Sendable {
    /// Inserts a new queued job and commits it before returning.
    ///
    /// When `job.idempotencyKey` is already used by the tenant, returns the existing job if its
    /// fingerprint matches, or throws ``JobError/Code/idempotencyKeyReused`` if it does not.
    func submit(_ job: NewJob) async throws -> Submission

    /// Inserts several jobs in one transaction and commits them before returning: all of them are
    /// stored, or none is.
    ///
    /// Each job is treated as ``submit(_:)`` treats it, in order: a job whose idempotency key the
    /// tenant already used (earlier, or by an earlier job of the same batch) comes back as that job
    /// with `created` false, and a key used for a different request throws
    /// ``JobError/Code/idempotencyKeyReused``, in which case nothing of the batch is stored.
    /// Returns one ``Submission`` per job, in the order given.
    func submit(_ jobs: [NewJob]) async throws -> [Submission]

    /// The job with this id, or `nil`; with a tenant, `nil` unless it belongs to that tenant.
    func job(_ id: JobID, tenant: TenantID?) async throws -> Job?

    /// A page of a tenant's jobs, newest first.
    func jobs(_ query: JobQuery) async throws -> JobPage

    /// Claims up to `request.limit` queued jobs whose `runAfter` has passed, oldest first.
    ///
    /// Each claimed job moves to `running`, its attempt counter grows by one, and it gets a fresh
    /// lease token that expires after `request.leaseDuration` unless heartbeated.
    func claim(_ request: ClaimRequest) async throws -> [ClaimedJob]

    /// Extends a held lease and records the latest progress.
    func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus

    /// Marks the job succeeded with its result. Returns `false` (and changes nothing) when the lease
    /// is no longer held.
    func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool

    /// Records a failed attempt: back to `queued` until `retryAt` when it is given, otherwise `failed`.
    /// Returns `false` (and changes nothing) when the lease is no longer held.
    func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool

    /// Gives a running job back to the queue without it having failed (graceful shutdown).
    /// Returns `false` when the lease is no longer held.
    func release(_ lease: Lease, now: Date) async throws -> Bool

    /// How many of the tenant's jobs are queued or running, counting no further than `limit`, so the
    /// answer costs at most `limit` index entries however many jobs wait.
    func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int

    /// Cancels a queued or running job of the tenant. Cancelling a cancelled job is a no-op.
    func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome

    /// Forgets a terminal job of the tenant and returns it, so the caller can delete its result.
    func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome

    /// Returns running jobs whose lease lapsed to the queue, or fails those that have used up their
    /// attempts. Returns how many jobs it changed.
    func requeueExpiredLeases(now: Date) async throws -> Int

    /// Forgets up to `limit` jobs of any tenant that ended before `cutoff`, oldest first, and returns
    /// them so the caller can delete their results.
    ///
    /// Each call is one short statement, so pruning millions of rows never holds long locks: callers
    /// repeat until fewer than `limit` jobs come back.
    func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job]

    /// Marks the results of up to `limit` succeeded jobs that finished before `cutoff` as expired at
    /// `now`, oldest first, and returns those jobs, with their ``Job/result`` still recorded, so the
    /// caller can delete the objects. Jobs whose result already expired are skipped.
    ///
    /// Like ``pruneFinishedJobs(endedBefore:limit:)`` each call is one short statement; callers
    /// repeat until fewer than `limit` jobs come back.
    func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job]

    /// Accepts an idle worker pool's offer: until `offer` ends, every transaction of this store that
    /// creates jobs of the offer's types also claims due jobs of those types for it, oldest first and
    /// up to its free places, as ``claim(_:)`` would, so that the pool starts them without claiming.
    ///
    /// Returns `false` when the store hands nothing over; the pool then claims as usual when it is
    /// woken. The default does that.
    func handOffSubmissions(to offer: WaitingClaim) -> Bool
}

extension JobStore {
    /// Hands nothing over: returns `false`.
    public func handOffSubmissions(to offer: WaitingClaim) -> Bool { false }
}

/// A job to insert.
public struct NewJob: Sendable {
    /// The job's id, chosen by the caller so it can be logged before the insert.
    public var id: JobID
    /// The submitting tenant.
    public var tenantID: TenantID
    /// The handler type.
    public var type: String
    /// The validated parameters.
    public var parameters: JobParameters
    /// How many starts it may have.
    public var maxAttempts: Int
    /// The client's idempotency key.
    public var idempotencyKey: String?
    /// A fingerprint of the request, compared when the idempotency key is replayed.
    public var requestFingerprint: String
    /// The time of submission.
    public var now: Date

    /// Creates a job to insert; `requestFingerprint` defaults to a hash of the type and parameters.
    public init(
        id: JobID = .generate(),
        tenantID: TenantID,
        type: String,
        parameters: JobParameters,
        maxAttempts: Int,
        idempotencyKey: String? = nil,
        requestFingerprint: String? = nil,
        now: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.type = type
        self.parameters = parameters
        self.maxAttempts = maxAttempts
        self.idempotencyKey = idempotencyKey
        self.requestFingerprint = requestFingerprint ?? Self.fingerprint(type: type, parameters: parameters)
        self.now = now
    }

    /// The job as it is right after the insert: queued, never attempted, due now. Stores return this
    /// rather than reading back the row they just wrote.
    public var queuedJob: Job {
        Job(
            id: id,
            tenantID: tenantID,
            type: type,
            parameters: parameters,
            state: .queued,
            maxAttempts: maxAttempts,
            createdAt: now,
            updatedAt: now,
            runAfter: now,
            idempotencyKey: idempotencyKey
        )
    }

    /// The hex SHA-256 of the type and the canonical JSON of the parameters.
    public static func fingerprint(type: String, parameters: JobParameters) -> String {
        var text = CanonicalJSONWriter()
        text.append(contentsOf: type)
        text.append(contentsOf: "\n")
        guard text.write(.object(parameters)) else {
            return SHA256Hex.digest(of: Array((type + "\n" + JSONValue.object(parameters).encodedCanonicalJSON()).utf8))
        }
        return SHA256Hex.digest(of: text.bytes)
    }
}

/// What ``JobStore/submit(_:)`` did.
public struct Submission: Sendable {
    /// The stored job: the new one, or the one an idempotency key pointed at.
    public var job: Job
    /// Whether this call inserted it.
    public var created: Bool

    /// Creates a submission outcome.
    public init(job: Job, created: Bool) {
        self.job = job
        self.created = created
    }
}

/// A query for a tenant's jobs.
public struct JobQuery: Sendable {
    /// Whose jobs.
    public var tenantID: TenantID
    /// Only jobs in these states; empty means all.
    public var states: Set<JobState>
    /// Only jobs of this type.
    public var type: String?
    /// At most this many.
    public var limit: Int
    /// The opaque cursor of the previous page's last job.
    public var cursor: String?

    /// Creates a query.
    public init(tenantID: TenantID, states: Set<JobState> = [], type: String? = nil, limit: Int = 50, cursor: String? = nil) {
        self.tenantID = tenantID
        self.states = states
        self.type = type
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of jobs.
public struct JobPage: Sendable {
    /// The jobs, newest first.
    public var jobs: [Job]
    /// Pass to the next query to continue; `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(jobs: [Job], nextCursor: String?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }
}

/// A worker's request for work.
public struct ClaimRequest: Sendable {
    /// Who is claiming (for operators reading the store).
    public var workerID: String
    /// Only these job types; `nil` means any.
    public var types: [String]?
    /// At most this many jobs.
    public var limit: Int
    /// When the leases lapse unless heartbeated.
    public var leaseExpiry: Date
    /// The time of the claim.
    public var now: Date

    /// Creates a claim request.
    public init(workerID: String, types: [String]?, limit: Int, leaseExpiry: Date, now: Date) {
        self.workerID = workerID
        self.types = types
        self.limit = limit
        self.leaseExpiry = leaseExpiry
        self.now = now
    }
}

/// The right to work on one job, held by one worker until it lapses.
public struct Lease: Sendable, Hashable {
    /// The leased job.
    public var jobID: JobID
    /// The fencing token: unique to this claim.
    public var token: String
    /// The attempt this claim started.
    public var attempt: Int

    /// Creates a lease value.
    public init(jobID: JobID, token: String, attempt: Int) {
        self.jobID = jobID
        self.token = token
        self.attempt = attempt
    }
}

/// A job together with the lease its worker holds.
public struct ClaimedJob: Sendable {
    /// The job as it is after the claim.
    public var job: Job
    /// The worker's lease.
    public var lease: Lease

    /// Creates a claimed job.
    public init(job: Job, lease: Lease) {
        self.job = job
        self.lease = lease
    }
}

/// Whether a lease is still held.
public enum LeaseStatus: Sendable, Hashable {
    /// The lease is current and was extended.
    case held
    /// The lease is gone; the job is now in this state (`nil` if the job no longer exists).
    case lost(JobState?)
}

/// What ``JobStore/cancel(_:tenant:now:)`` did.
public enum CancelOutcome: Sendable {
    /// The job is now cancelled. `wasRunning` says a worker may still be running its handler.
    case cancelled(Job, wasRunning: Bool)
    /// The job had already ended in another state; nothing changed.
    case alreadyTerminal(Job)
    /// No such job for this tenant.
    case notFound
}

/// What ``JobStore/delete(_:tenant:)`` did.
public enum DeleteOutcome: Sendable {
    /// The job was forgotten; this is how it was.
    case deleted(Job)
    /// The job has not ended; nothing changed.
    case notTerminal(Job)
    /// No such job for this tenant.
    case notFound
}
