import AsyncJobs
import Foundation
import Synchronization

/// A store that passes every call to another and notes when the `expected`-th completion has been
/// committed: the end of a throughput run, measured where the engine ends a job, not in the handler.
final class CompletionCountingStore: JobStore {
    let base: any JobStore
    private let expected: Int
    private let state = Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?, done: Bool)>((0, nil, false))

    init(_ base: any JobStore, expected: Int) {
        self.base = base
        self.expected = expected
    }

    /// Returns once `expected` jobs have been completed.
    func waitUntilAllCompleted() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        let tookEffect = try await base.complete(lease, result: result, itemErrors: itemErrors, now: now)
        guard tookEffect else { return false }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count == expected else { return nil }
            state.done = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        return true
    }

    func submit(_ job: NewJob) async throws -> Submission { try await base.submit(job) }
    func submit(_ jobs: [NewJob]) async throws -> [Submission] { try await base.submit(jobs) }
    func job(_ id: JobID, tenant: TenantID?) async throws -> Job? { try await base.job(id, tenant: tenant) }
    func jobs(_ query: JobQuery) async throws -> JobPage { try await base.jobs(query) }
    func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] { try await base.claim(request) }
    func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        try await base.heartbeat(lease, until: expiry, progress: progress, now: now)
    }
    func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool {
        try await base.fail(lease, failure: failure, retryAt: retryAt, now: now)
    }
    func release(_ lease: Lease, now: Date) async throws -> Bool { try await base.release(lease, now: now) }
    func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int { try await base.countUnfinishedJobs(tenant: tenant, upTo: limit) }
    func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome { try await base.cancel(id, tenant: tenant, now: now) }
    func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome { try await base.delete(id, tenant: tenant) }
    func requeueExpiredLeases(now: Date) async throws -> Int { try await base.requeueExpiredLeases(now: now) }
    func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job] {
        try await base.pruneFinishedJobs(endedBefore: cutoff, limit: limit)
    }
    func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job] {
        try await base.expireResults(finishedBefore: cutoff, limit: limit, now: now)
    }
}
