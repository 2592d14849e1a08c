public import Foundation

/// A store that wraps another and passes every call on to it, for a store that adds one concern to a
/// real one (counting, recording, injecting failures, metrics): it implements only the calls it
/// changes, and the rest go to ``base``.
///
/// Offers of idle worker pools (``JobStore/handOffSubmissions(to:)``) go to ``base`` too, and the
/// jobs a submission hands over are claimed there, without a call to ``claim(_:)``. A decorator that
/// must see every claim returns `false` from `handOffSubmissions(to:)`.
///
/// ```swift
/// final class CountingStore: JobStoreDecorator {
///     let base: any JobStore
///     let claims = Atomic<Int>(0)
///     init(_ base: any JobStore) { self.base = base }
///     func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
///         claims.add(1, ordering: .relaxed)
///         return try await base.claim(request)
///     }
/// }
/// ```
public protocol JobStoreDecorator: JobStore {
    /// The store every call this type does not implement goes to.
    var base: any JobStore { get }
}

extension JobStoreDecorator {
    public func submit(_ job: NewJob) async throws -> Submission { try await base.submit(job) }
    public func submit(_ jobs: [NewJob]) async throws -> [Submission] { try await base.submit(jobs) }
    public func job(_ id: JobID, tenant: TenantID?) async throws -> Job? { try await base.job(id, tenant: tenant) }
    public func jobs(_ query: JobQuery) async throws -> JobPage { try await base.jobs(query) }
    public func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] { try await base.claim(request) }
    public func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        try await base.heartbeat(lease, until: expiry, progress: progress, now: now)
    }
    public func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        try await base.complete(lease, result: result, itemErrors: itemErrors, now: now)
    }
    public func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool {
        try await base.fail(lease, failure: failure, retryAt: retryAt, now: now)
    }
    public func release(_ lease: Lease, now: Date) async throws -> Bool { try await base.release(lease, now: now) }
    public func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int {
        try await base.countUnfinishedJobs(tenant: tenant, upTo: limit)
    }
    public func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome { try await base.cancel(id, tenant: tenant, now: now) }
    public func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome { try await base.delete(id, tenant: tenant) }
    public func requeueExpiredLeases(now: Date) async throws -> Int { try await base.requeueExpiredLeases(now: now) }
    public func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job] {
        try await base.pruneFinishedJobs(endedBefore: cutoff, limit: limit)
    }
    public func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job] {
        try await base.expireResults(finishedBefore: cutoff, limit: limit, now: now)
    }
    public func handOffSubmissions(to offer: WaitingClaim) -> Bool { base.handOffSubmissions(to: offer) }
}
