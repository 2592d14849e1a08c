public import Foundation
import Synchronization

/// A ``JobStore``, ``TenantStore`` and ``PassportStore`` in memory: for unit tests and trying things
/// out. Nothing survives the process.
public final class MemoryJobStore: JobStore, TenantStore, PassportStore {
    private struct Row {
        var job: Job
        var sequence: Int
        var fingerprint: String
        var leaseToken: String?
        var leaseExpiry: Date?
    }

    private struct State {
        var rows: [JobID: Row] = [:]
        var sequence = 0
        var tenants: [String: Tenant] = [:]
        var apiKeys: [String: TenantID] = [:]
        var clients: [String: OAuthClient] = [:]
        var secrets: [String: String] = [:]
        var passportTokens: [String: PassportToken] = [:]
        var nonces: [String: Date] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    // MARK: JobStore

    public func submit(_ new: NewJob) async throws -> Submission {
        try state.withLock { state in try Self.insert(new, into: &state) }
    }

    public func submit(_ jobs: [NewJob]) async throws -> [Submission] {
        try state.withLock { state in
            // All or nothing: the batch works on a copy that replaces the state only if every job went in.
            var copy = state
            let submissions = try jobs.map { try Self.insert($0, into: &copy) }
            state = copy
            return submissions
        }
    }

    private static func insert(_ new: NewJob, into state: inout State) throws -> Submission {
        if let key = new.idempotencyKey,
            let existing = state.rows.values.first(where: { $0.job.tenantID == new.tenantID && $0.job.idempotencyKey == key })
        {
            guard existing.fingerprint == new.requestFingerprint else {
                throw JobError(.idempotencyKeyReused, "Idempotency-Key '\(key)' was used for a different request", jobID: existing.job.id)
            }
            return Submission(job: existing.job, created: false)
        }
        state.sequence += 1
        let job = new.queuedJob
        state.rows[job.id] = Row(job: job, sequence: state.sequence, fingerprint: new.requestFingerprint)
        return Submission(job: job, created: true)
    }

    public func job(_ id: JobID, tenant: TenantID?) async throws -> Job? {
        state.withLock { state in
            guard let job = state.rows[id]?.job, tenant == nil || job.tenantID == tenant else { return nil }
            return job
        }
    }

    public func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int {
        state.withLock { state in
            min(limit, state.rows.values.count { $0.job.tenantID == tenant && !$0.job.state.isTerminal })
        }
    }

    public func jobs(_ query: JobQuery) async throws -> JobPage {
        state.withLock { state in
            let before = query.cursor.flatMap(Int.init) ?? Int.max
            let matching = state.rows.values
                .filter { row in
                    row.job.tenantID == query.tenantID && row.sequence < before
                        && (query.states.isEmpty || query.states.contains(row.job.state))
                        && (query.type == nil || row.job.type == query.type)
                }
                .sorted { $0.sequence > $1.sequence }
            let page = Array(matching.prefix(query.limit))
            let next = matching.count > query.limit ? page.last.map { String($0.sequence) } : nil
            return JobPage(jobs: page.map(\.job), nextCursor: next)
        }
    }

    public func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
        state.withLock { state in
            let candidates = state.rows.values
                .filter { row in
                    row.job.state == .queued && row.job.runAfter <= request.now
                        && (request.types == nil || request.types!.contains(row.job.type))
                }
                .sorted { ($0.job.runAfter, $0.sequence) < ($1.job.runAfter, $1.sequence) }
                .prefix(request.limit)
            return candidates.map { candidate in
                var row = candidate
                row.job.state = .running
                row.job.attempt += 1
                row.job.startedAt = request.now
                row.job.updatedAt = request.now
                row.job.progress = JobProgress()
                row.leaseToken = RandomToken.make(bytes: 16)
                row.leaseExpiry = request.leaseExpiry
                state.rows[row.job.id] = row
                return ClaimedJob(job: row.job, lease: Lease(jobID: row.job.id, token: row.leaseToken!, attempt: row.job.attempt))
            }
        }
    }

    public func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        state.withLock { state in
            guard var row = state.rows[lease.jobID] else { return .lost(nil) }
            guard row.job.state == .running, row.leaseToken == lease.token else { return .lost(row.job.state) }
            row.leaseExpiry = expiry
            if let progress { row.job.progress = progress }
            row.job.updatedAt = now
            state.rows[lease.jobID] = row
            return .held
        }
    }

    public func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        finishHeld(lease) { row in
            row.job.state = .succeeded
            row.job.result = result
            row.job.itemErrors = itemErrors
            row.job.failure = nil
            row.job.progress = JobProgress(percent: 100, estimatedSecondsRemaining: 0, updatedAt: now)
            row.job.finishedAt = now
            row.job.updatedAt = now
        }
    }

    public func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool {
        finishHeld(lease) { row in
            row.job.failure = failure
            row.job.updatedAt = now
            if let retryAt {
                row.job.state = .queued
                row.job.runAfter = retryAt
            } else {
                row.job.state = .failed
                row.job.finishedAt = now
            }
        }
    }

    public func release(_ lease: Lease, now: Date) async throws -> Bool {
        finishHeld(lease) { row in
            row.job.state = .queued
            row.job.runAfter = now
            row.job.updatedAt = now
        }
    }

    private func finishHeld(_ lease: Lease, _ change: (inout Row) -> Void) -> Bool {
        state.withLock { state in
            guard var row = state.rows[lease.jobID], row.job.state == .running, row.leaseToken == lease.token else {
                return false
            }
            change(&row)
            row.leaseToken = nil
            row.leaseExpiry = nil
            state.rows[lease.jobID] = row
            return true
        }
    }

    public func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome {
        state.withLock { state in
            guard var row = state.rows[id], row.job.tenantID == tenant else { return .notFound }
            switch row.job.state {
            case .cancelled: return .cancelled(row.job, wasRunning: false)
            case .succeeded, .failed: return .alreadyTerminal(row.job)
            case .queued, .running:
                let wasRunning = row.job.state == .running
                row.job.state = .cancelled
                row.job.finishedAt = now
                row.job.updatedAt = now
                row.leaseToken = nil
                row.leaseExpiry = nil
                state.rows[id] = row
                return .cancelled(row.job, wasRunning: wasRunning)
            }
        }
    }

    public func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome {
        state.withLock { state in
            guard let row = state.rows[id], row.job.tenantID == tenant else { return .notFound }
            guard row.job.state.isTerminal else { return .notTerminal(row.job) }
            state.rows[id] = nil
            return .deleted(row.job)
        }
    }

    public func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job] {
        state.withLock { state in
            let pruned = state.rows.values
                .filter { $0.job.state.isTerminal && ($0.job.finishedAt ?? $0.job.updatedAt) < cutoff }
                .sorted { ($0.job.finishedAt ?? $0.job.updatedAt, $0.sequence) < ($1.job.finishedAt ?? $1.job.updatedAt, $1.sequence) }
                .prefix(max(0, limit))
                .map(\.job)
            for job in pruned { state.rows[job.id] = nil }
            return Array(pruned)
        }
    }

    public func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job] {
        state.withLock { state in
            let due = state.rows.values
                .filter { row in
                    row.job.state == .succeeded && row.job.result != nil && row.job.resultExpiredAt == nil
                        && (row.job.finishedAt ?? row.job.updatedAt) < cutoff
                }
                .sorted { ($0.job.finishedAt ?? $0.job.updatedAt, $0.sequence) < ($1.job.finishedAt ?? $1.job.updatedAt, $1.sequence) }
                .prefix(max(0, limit))
                .map(\.job.id)
            return due.map { id in
                state.rows[id]!.job.resultExpiredAt = now
                state.rows[id]!.job.updatedAt = now
                return state.rows[id]!.job
            }
        }
    }

    public func requeueExpiredLeases(now: Date) async throws -> Int {
        state.withLock { state in
            var changed = 0
            for (id, var row) in state.rows where row.job.state == .running && (row.leaseExpiry ?? .distantFuture) < now {
                row.leaseToken = nil
                row.leaseExpiry = nil
                row.job.updatedAt = now
                if row.job.attempt >= row.job.maxAttempts {
                    row.job.state = .failed
                    row.job.finishedAt = now
                    row.job.failure = JobFailure.leaseExpired(attempts: row.job.attempt)
                } else {
                    row.job.state = .queued
                    row.job.runAfter = now
                }
                state.rows[id] = row
                changed += 1
            }
            return changed
        }
    }

    // MARK: TenantStore

    public func createTenant(_ tenant: Tenant, apiKeyHash: String, client: OAuthClient) async throws {
        try state.withLock { state in
            guard state.tenants[tenant.name] == nil else {
                throw JobError(.tenantExists, "a tenant named '\(tenant.name)' already exists")
            }
            state.tenants[tenant.name] = tenant
            state.apiKeys[apiKeyHash] = tenant.id
            state.clients[client.clientID] = client
        }
    }

    public func tenant(named name: String) async throws -> Tenant? {
        state.withLock { $0.tenants[name] }
    }

    public func tenantCount() async throws -> Int {
        state.withLock { $0.tenants.count }
    }

    public func tenantID(forAPIKeyHash hash: String) async throws -> TenantID? {
        state.withLock { $0.apiKeys[hash] }
    }

    public func client(id: String) async throws -> OAuthClient? {
        state.withLock { $0.clients[id] }
    }

    public func secret(named name: String, orInsert candidate: String) async throws -> String {
        state.withLock { state in
            if let existing = state.secrets[name] { return existing }
            state.secrets[name] = candidate
            return candidate
        }
    }
}

extension MemoryJobStore {
    // MARK: PassportStore

    public func createPassportToken(_ token: PassportToken) async throws {
        state.withLock { $0.passportTokens[token.tokenID] = token }
    }

    public func passportToken(id: String) async throws -> PassportToken? {
        state.withLock { $0.passportTokens[id] }
    }

    public func useNonce(_ nonce: String, consumerKey: String, expiresAt: Date, now: Date) async throws -> Bool {
        state.withLock { state in
            let key = consumerKey + "\u{0}" + nonce
            if let remembered = state.nonces[key], remembered >= now { return false }
            state.nonces[key] = expiresAt
            return true
        }
    }

    public func forgetExpiredNonces(now: Date) async throws {
        state.withLock { $0.nonces = $0.nonces.filter { $0.value >= now } }
    }
}

extension JobFailure {
    /// The failure recorded when a job's last allowed attempt lost its lease.
    public static func leaseExpired(attempts: Int) -> JobFailure {
        JobFailure(
            code: "lease_expired",
            message: "the worker running attempt \(attempts) stopped renewing its lease (crashed or lost), and no attempts are left"
        )
    }
}
