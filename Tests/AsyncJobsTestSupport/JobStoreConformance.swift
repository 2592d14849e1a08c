public import AsyncJobs
import Foundation
public import Testing

/// The behaviour every ``JobStore`` (and ``TenantStore``) backend must show. Each backend's tests run
/// every check against a fresh store:
///
/// ```swift
/// @Test(arguments: JobStoreConformance.Check.allCases)
/// func conformance(_ check: JobStoreConformance.Check) async throws {
///     try await JobStoreConformance { try await makeStore() }.run(check)
/// }
/// ```
public struct JobStoreConformance: Sendable {
    public typealias Store = JobStore & TenantStore & PassportStore

    /// The checks, one test case each.
    public enum Check: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case submitAndRead
        case batchSubmitStoresEveryJobInOrder
        case batchSubmitIsAllOrNothing
        case parametersRoundTrip
        case claimIsExclusiveUnderConcurrency
        case claimHonoursRunAfterOrderAndTypes
        case heartbeatExtendsLeaseAndStoresProgress
        case lapsedLeaseReturnsToQueue
        case lapsedLeaseOnLastAttemptFails
        case staleLeaseIsFenced
        case retrySchedulingAndFinalFailure
        case releaseReturnsJobToQueue
        case cancelQueued
        case cancelRunning
        case cancelTerminalIsRefused
        case cancelRacesComplete
        case idempotencyKeys
        case idempotencyKeyUnderConcurrency
        case tenantScoping
        case unfinishedJobsAreCountedPerTenant
        case listingPagesAndFilters
        case deleteOnlyTerminal
        case tenantsAndSecrets
        case pruneFinishedJobs
        case expireResults
        case passportTokensAndNonces

        public var testDescription: String { rawValue }
    }

    let makeStore: @Sendable () async throws -> any Store

    /// Creates the suite over a factory that returns a new, empty store per call.
    public init(makeStore: @escaping @Sendable () async throws -> any Store) {
        self.makeStore = makeStore
    }

    /// Runs one check against a fresh store.
    public func run(_ check: Check) async throws {
        let store = try await makeStore()
        switch check {
        case .submitAndRead: try await submitAndRead(store)
        case .batchSubmitStoresEveryJobInOrder: try await batchSubmitStoresEveryJobInOrder(store)
        case .batchSubmitIsAllOrNothing: try await batchSubmitIsAllOrNothing(store)
        case .parametersRoundTrip: try await parametersRoundTrip(store)
        case .claimIsExclusiveUnderConcurrency: try await claimIsExclusiveUnderConcurrency(store)
        case .claimHonoursRunAfterOrderAndTypes: try await claimHonoursRunAfterOrderAndTypes(store)
        case .heartbeatExtendsLeaseAndStoresProgress: try await heartbeatExtendsLeaseAndStoresProgress(store)
        case .lapsedLeaseReturnsToQueue: try await lapsedLeaseReturnsToQueue(store)
        case .lapsedLeaseOnLastAttemptFails: try await lapsedLeaseOnLastAttemptFails(store)
        case .staleLeaseIsFenced: try await staleLeaseIsFenced(store)
        case .retrySchedulingAndFinalFailure: try await retrySchedulingAndFinalFailure(store)
        case .releaseReturnsJobToQueue: try await releaseReturnsJobToQueue(store)
        case .cancelQueued: try await cancelQueued(store)
        case .cancelRunning: try await cancelRunning(store)
        case .cancelTerminalIsRefused: try await cancelTerminalIsRefused(store)
        case .cancelRacesComplete: try await cancelRacesComplete(store)
        case .idempotencyKeys: try await idempotencyKeys(store)
        case .idempotencyKeyUnderConcurrency: try await idempotencyKeyUnderConcurrency(store)
        case .tenantScoping: try await tenantScoping(store)
        case .unfinishedJobsAreCountedPerTenant: try await unfinishedJobsAreCountedPerTenant(store)
        case .listingPagesAndFilters: try await listingPagesAndFilters(store)
        case .deleteOnlyTerminal: try await deleteOnlyTerminal(store)
        case .tenantsAndSecrets: try await tenantsAndSecrets(store)
        case .pruneFinishedJobs: try await pruneFinishedJobs(store)
        case .expireResults: try await expireResults(store)
        case .passportTokensAndNonces: try await passportTokensAndNonces(store)
        }
    }

    // MARK: Fixtures

    /// A fixed instant with whole milliseconds, so every backend stores it exactly.
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let alice = TenantID("tenant-alice")
    static let bob = TenantID("tenant-bob")

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @discardableResult
    func submit(
        _ store: any Store,
        tenant: TenantID = alice,
        type: String = "demo.csv",
        parameters: JobParameters = ["rows": 3],
        maxAttempts: Int = 3,
        key: String? = nil,
        at seconds: Double = 0
    ) async throws -> Job {
        try await store.submit(
            NewJob(tenantID: tenant, type: type, parameters: parameters, maxAttempts: maxAttempts, idempotencyKey: key, now: Self.at(seconds))
        ).job
    }

    func claim(_ store: any Store, limit: Int = 1, types: [String]? = nil, at seconds: Double = 0, lease: Double = 30) async throws -> [ClaimedJob] {
        try await store.claim(
            ClaimRequest(workerID: "worker-test", types: types, limit: limit, leaseExpiry: Self.at(seconds + lease), now: Self.at(seconds))
        )
    }

    func state(_ store: any Store, _ id: JobID) async throws -> JobState? {
        try await store.job(id, tenant: nil)?.state
    }

    static let sampleResult = JobResult(key: "k/1/demo.csv", size: 42, sha256: String(repeating: "ab", count: 32), contentType: "text/csv", fileName: "demo.csv")

    // MARK: Checks

    func submitAndRead(_ store: any Store) async throws {
        let job = try await submit(store, parameters: ["rows": 7], key: nil, at: 1)
        #expect(job.state == .queued)
        #expect(job.attempt == 0)
        #expect(job.maxAttempts == 3)
        let read = try #require(try await store.job(job.id, tenant: Self.alice))
        #expect(read.id == job.id)
        #expect(read.type == "demo.csv")
        #expect(read.parameters == ["rows": .number(7)])
        #expect(read.state == .queued)
        #expect(read.createdAt == Self.at(1))
        #expect(read.result == nil)
        #expect(read == job, "submit returns exactly what is stored")
        #expect(try await store.job(JobID("no-such-job"), tenant: Self.alice) == nil)
        #expect(try await store.job(JobID("no-such-job"), tenant: nil) == nil)
    }

    func batchSubmitStoresEveryJobInOrder(_ store: any Store) async throws {
        let batch = (0..<5).map { n in
            NewJob(tenantID: Self.alice, type: "demo.csv", parameters: ["rows": .number(Double(n))], maxAttempts: 3, idempotencyKey: n == 2 ? "two" : nil, now: Self.at(1))
        }
        let submissions = try await store.submit(batch)
        #expect(submissions.map(\.job.id) == batch.map(\.id), "one submission per job, in order")
        #expect(submissions.allSatisfy { $0.created })
        for submission in submissions {
            #expect(try await store.job(submission.job.id, tenant: Self.alice) == submission.job, "each job is stored as returned")
        }
        #expect(try await store.jobs(JobQuery(tenantID: Self.alice)).jobs.map(\.id) == batch.map(\.id).reversed(), "listed newest first")
        let claimed = try await claim(store, limit: 5, at: 2)
        #expect(claimed.map(\.job.id) == batch.map(\.id), "claimed in submission order")
        #expect(try await store.submit([NewJob]()).isEmpty)
    }

    func batchSubmitIsAllOrNothing(_ store: any Store) async throws {
        let original = try await submit(store, parameters: ["rows": 1], key: "k1")
        func job(_ rows: Int, key: String? = nil) -> NewJob {
            NewJob(tenantID: Self.alice, type: "demo.csv", parameters: ["rows": .number(Double(rows))], maxAttempts: 3, idempotencyKey: key, now: Self.at(1))
        }
        // A replay of an earlier key, and a key used twice within the batch: both are replays.
        let batch = [job(10), job(1, key: "k1"), job(20, key: "k2"), job(20, key: "k2")]
        let submissions = try await store.submit(batch)
        #expect(submissions.map(\.created) == [true, false, true, false])
        #expect(submissions[1].job.id == original.id)
        #expect(submissions[3].job.id == batch[2].id)
        #expect(try await store.jobs(JobQuery(tenantID: Self.alice)).jobs.count == 3)

        let refused = [job(30), job(2, key: "k1")]
        do {
            _ = try await store.submit(refused)
            Issue.record("a batch reusing a key for another request must fail")
        } catch let error as JobError {
            #expect(error.code == .idempotencyKeyReused)
        }
        #expect(try await store.job(refused[0].id, tenant: nil) == nil, "nothing of a refused batch is stored")
        #expect(try await store.jobs(JobQuery(tenantID: Self.alice)).jobs.count == 3)
    }

    func parametersRoundTrip(_ store: any Store) async throws {
        let parameters: JobParameters = [
            "text": .string("héllo \"quoted\" \u{1F600}"),
            "nested": .object(["list": .array([.number(1.5), .bool(true), .null]), "empty": .object([:])]),
            "big": .number(9_007_199_254_740_991),
        ]
        let job = try await submit(store, parameters: parameters)
        #expect(try await store.job(job.id, tenant: nil)?.parameters == parameters)
    }

    func claimIsExclusiveUnderConcurrency(_ store: any Store) async throws {
        var submitted = Set<JobID>()
        for index in 0..<40 { submitted.insert(try await submit(store, at: Double(index) / 1000).id) }
        let claims = try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
            for _ in 0..<8 { group.addTask { try await self.claim(store, limit: 7, at: 1) } }
            return try await group.reduce(into: [ClaimedJob]()) { $0 += $1 }
        }
        let claimedIDs = claims.map(\.job.id)
        #expect(claimedIDs.count == 40, "every job claimed exactly once, not \(claimedIDs.count) claims")
        #expect(Set(claimedIDs) == submitted)
        #expect(Set(claims.map(\.lease.token)).count == 40, "every claim has its own lease token")
        #expect(claims.allSatisfy { $0.job.state == .running && $0.job.attempt == 1 && $0.lease.attempt == 1 })
        #expect(try await claim(store, limit: 10, at: 2).isEmpty)
    }

    func claimHonoursRunAfterOrderAndTypes(_ store: any Store) async throws {
        let first = try await submit(store, type: "a", at: 0)
        let second = try await submit(store, type: "a", at: 1)
        let other = try await submit(store, type: "b", at: 2)
        let claimed = try await claim(store, limit: 1, types: ["a"], at: 5)
        #expect(claimed.map(\.job.id) == [first.id], "oldest first")
        // Fail the first with a retry in the future: it must not be claimable before then.
        #expect(try await store.fail(claimed[0].lease, failure: JobFailure(code: "x", message: "y"), retryAt: Self.at(100), now: Self.at(6)))
        let next = try await claim(store, limit: 5, types: ["a"], at: 7)
        #expect(next.map(\.job.id) == [second.id])
        #expect(try await claim(store, limit: 5, types: ["a"], at: 99).isEmpty)
        let retried = try await claim(store, limit: 5, types: ["a"], at: 100)
        #expect(retried.map(\.job.id) == [first.id])
        #expect(retried.first?.job.attempt == 2)
        let others = try await claim(store, limit: 5, types: nil, at: 101)
        #expect(others.map(\.job.id) == [other.id])
    }

    func heartbeatExtendsLeaseAndStoresProgress(_ store: any Store) async throws {
        let job = try await submit(store)
        let lease = try #require(try await claim(store, at: 0, lease: 10).first).lease
        let progress = JobProgress(percent: 40, estimatedSecondsRemaining: 12.5, updatedAt: Self.at(8))
        #expect(try await store.heartbeat(lease, until: Self.at(40), progress: progress, now: Self.at(8)) == .held)
        #expect(try await store.requeueExpiredLeases(now: Self.at(20)) == 0, "the heartbeat moved the expiry to t+40")
        let read = try #require(try await store.job(job.id, tenant: nil))
        #expect(read.state == .running)
        #expect(read.progress == progress)
        #expect(try await store.requeueExpiredLeases(now: Self.at(41)) == 1)
    }

    func lapsedLeaseReturnsToQueue(_ store: any Store) async throws {
        let job = try await submit(store)
        let first = try #require(try await claim(store, at: 0, lease: 10).first)
        #expect(try await store.requeueExpiredLeases(now: Self.at(5)) == 0)
        #expect(try await store.requeueExpiredLeases(now: Self.at(11)) == 1)
        let requeued = try #require(try await store.job(job.id, tenant: nil))
        #expect(requeued.state == .queued)
        #expect(requeued.attempt == 1)
        let second = try #require(try await claim(store, at: 12).first)
        #expect(second.job.id == job.id)
        #expect(second.job.attempt == 2)
        #expect(second.lease.token != first.lease.token)
    }

    func lapsedLeaseOnLastAttemptFails(_ store: any Store) async throws {
        let job = try await submit(store, maxAttempts: 1)
        _ = try await claim(store, at: 0, lease: 10)
        #expect(try await store.requeueExpiredLeases(now: Self.at(11)) == 1)
        let failed = try #require(try await store.job(job.id, tenant: nil))
        #expect(failed.state == .failed)
        #expect(failed.failure == JobFailure.leaseExpired(attempts: 1))
        #expect(failed.finishedAt == Self.at(11))
    }

    func staleLeaseIsFenced(_ store: any Store) async throws {
        let job = try await submit(store)
        let stale = try #require(try await claim(store, at: 0, lease: 10).first).lease
        _ = try await store.requeueExpiredLeases(now: Self.at(11))
        let current = try #require(try await claim(store, at: 12).first).lease
        #expect(try await store.heartbeat(stale, until: Self.at(100), progress: JobProgress(percent: 99), now: Self.at(13)) == .lost(.running))
        #expect(try await store.complete(stale, result: Self.sampleResult, itemErrors: 0, now: Self.at(14)) == false)
        #expect(try await store.fail(stale, failure: JobFailure(code: "x", message: "y"), retryAt: nil, now: Self.at(14)) == false)
        #expect(try await store.release(stale, now: Self.at(14)) == false)
        let untouched = try #require(try await store.job(job.id, tenant: nil))
        #expect(untouched.state == .running)
        #expect(untouched.result == nil)
        #expect(untouched.progress.percent == 0)
        #expect(try await store.complete(current, result: Self.sampleResult, itemErrors: 2, now: Self.at(15)))
        let done = try #require(try await store.job(job.id, tenant: nil))
        #expect(done.state == .succeeded)
        #expect(done.result == Self.sampleResult)
        #expect(done.itemErrors == 2)
        #expect(done.progress.percent == 100)
        #expect(done.finishedAt == Self.at(15))
        #expect(try await store.complete(current, result: nil, itemErrors: 0, now: Self.at(16)) == false, "terminal states never change")
        #expect(try await store.heartbeat(current, until: Self.at(100), progress: nil, now: Self.at(16)) == .lost(.succeeded))
    }

    func retrySchedulingAndFinalFailure(_ store: any Store) async throws {
        let job = try await submit(store, maxAttempts: 2)
        let first = try #require(try await claim(store, at: 0).first).lease
        let failure = JobFailure(code: "handler_error", message: "disk full")
        #expect(try await store.fail(first, failure: failure, retryAt: Self.at(30), now: Self.at(1)))
        let waiting = try #require(try await store.job(job.id, tenant: nil))
        #expect(waiting.state == .queued)
        #expect(waiting.runAfter == Self.at(30))
        #expect(waiting.failure == failure)
        #expect(try await claim(store, at: 29).isEmpty)
        let second = try #require(try await claim(store, at: 30).first).lease
        #expect(second.attempt == 2)
        #expect(try await store.fail(second, failure: failure, retryAt: nil, now: Self.at(31)))
        let failed = try #require(try await store.job(job.id, tenant: nil))
        #expect(failed.state == .failed)
        #expect(failed.finishedAt == Self.at(31))
        #expect(try await claim(store, at: 100).isEmpty)
        #expect(try await store.requeueExpiredLeases(now: Self.at(1000)) == 0)
    }

    func releaseReturnsJobToQueue(_ store: any Store) async throws {
        let job = try await submit(store)
        let lease = try #require(try await claim(store, at: 0).first).lease
        #expect(try await store.release(lease, now: Self.at(1)))
        #expect(try await state(store, job.id) == .queued)
        let again = try #require(try await claim(store, at: 1).first)
        #expect(again.job.id == job.id)
        #expect(again.job.attempt == 2)
    }

    func cancelQueued(_ store: any Store) async throws {
        let job = try await submit(store)
        guard case .cancelled(let cancelled, let wasRunning) = try await store.cancel(job.id, tenant: Self.alice, now: Self.at(1)) else {
            Issue.record("a queued job must cancel")
            return
        }
        #expect(cancelled.state == .cancelled)
        #expect(wasRunning == false)
        #expect(try await store.job(job.id, tenant: nil) == cancelled, "cancel returns exactly what is stored")
        #expect(try await claim(store, at: 2).isEmpty)
        guard case .cancelled(_, let again) = try await store.cancel(job.id, tenant: Self.alice, now: Self.at(3)) else {
            Issue.record("cancelling twice is idempotent")
            return
        }
        #expect(again == false)
        #expect(try await store.job(job.id, tenant: nil)?.finishedAt == Self.at(1))
    }

    func cancelRunning(_ store: any Store) async throws {
        let job = try await submit(store)
        let lease = try #require(try await claim(store, at: 0).first).lease
        guard case .cancelled(_, let wasRunning) = try await store.cancel(job.id, tenant: Self.alice, now: Self.at(1)) else {
            Issue.record("a running job must cancel")
            return
        }
        #expect(wasRunning)
        #expect(try await store.heartbeat(lease, until: Self.at(60), progress: nil, now: Self.at(2)) == .lost(.cancelled))
        #expect(try await store.complete(lease, result: Self.sampleResult, itemErrors: 0, now: Self.at(3)) == false)
        #expect(try await store.requeueExpiredLeases(now: Self.at(1000)) == 0)
        let read = try #require(try await store.job(job.id, tenant: nil))
        #expect(read.state == .cancelled)
        #expect(read.result == nil)
    }

    func cancelTerminalIsRefused(_ store: any Store) async throws {
        let job = try await submit(store)
        let lease = try #require(try await claim(store, at: 0).first).lease
        #expect(try await store.complete(lease, result: Self.sampleResult, itemErrors: 0, now: Self.at(1)))
        guard case .alreadyTerminal(let terminal) = try await store.cancel(job.id, tenant: Self.alice, now: Self.at(2)) else {
            Issue.record("a succeeded job cannot be cancelled")
            return
        }
        #expect(terminal.state == .succeeded)
        #expect(try await state(store, job.id) == .succeeded)
    }

    func cancelRacesComplete(_ store: any Store) async throws {
        var leases: [Lease] = []
        for _ in 0..<20 { try await submit(store) }
        leases = try await claim(store, limit: 20, at: 0).map(\.lease)
        #expect(leases.count == 20)
        for lease in leases {
            async let completed = store.complete(lease, result: Self.sampleResult, itemErrors: 0, now: Self.at(1))
            async let cancelled = store.cancel(lease.jobID, tenant: Self.alice, now: Self.at(1))
            let (didComplete, cancelOutcome) = try await (completed, cancelled)
            let final = try #require(try await store.job(lease.jobID, tenant: nil))
            switch cancelOutcome {
            case .cancelled:
                #expect(didComplete == false, "a cancelled job cannot also complete")
                #expect(final.state == .cancelled)
                #expect(final.result == nil)
            case .alreadyTerminal:
                #expect(didComplete)
                #expect(final.state == .succeeded)
            case .notFound:
                Issue.record("the job exists")
            }
        }
    }

    func idempotencyKeys(_ store: any Store) async throws {
        let original = try await submit(store, parameters: ["rows": 5], key: "order-1")
        let replay = try await store.submit(
            NewJob(tenantID: Self.alice, type: "demo.csv", parameters: ["rows": 5], maxAttempts: 3, idempotencyKey: "order-1", now: Self.at(5))
        )
        #expect(replay.created == false)
        #expect(replay.job.id == original.id)
        do {
            _ = try await store.submit(
                NewJob(tenantID: Self.alice, type: "demo.csv", parameters: ["rows": 6], maxAttempts: 3, idempotencyKey: "order-1", now: Self.at(6))
            )
            Issue.record("reusing a key with another body must fail")
        } catch let error as JobError {
            #expect(error.code == .idempotencyKeyReused)
        }
        let otherTenant = try await store.submit(
            NewJob(tenantID: Self.bob, type: "demo.csv", parameters: ["rows": 6], maxAttempts: 3, idempotencyKey: "order-1", now: Self.at(7))
        )
        #expect(otherTenant.created)
        #expect(otherTenant.job.id != original.id)
        let page = try await store.jobs(JobQuery(tenantID: Self.alice))
        #expect(page.jobs.count == 1, "the refused and replayed submissions stored nothing")
    }

    func idempotencyKeyUnderConcurrency(_ store: any Store) async throws {
        let outcomes = try await withThrowingTaskGroup(of: Submission.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await store.submit(
                        NewJob(tenantID: Self.alice, type: "demo.csv", parameters: ["rows": 1], maxAttempts: 3, idempotencyKey: "same", now: Self.at(0))
                    )
                }
            }
            return try await group.reduce(into: [Submission]()) { $0.append($1) }
        }
        #expect(outcomes.filter(\.created).count == 1)
        #expect(Set(outcomes.map(\.job.id)).count == 1)
        #expect(try await store.jobs(JobQuery(tenantID: Self.alice)).jobs.count == 1)
    }

    func tenantScoping(_ store: any Store) async throws {
        let job = try await submit(store, tenant: Self.alice)
        #expect(try await store.job(job.id, tenant: Self.bob) == nil)
        guard case .notFound = try await store.cancel(job.id, tenant: Self.bob, now: Self.at(1)) else {
            Issue.record("another tenant cannot cancel")
            return
        }
        #expect(try await state(store, job.id) == .queued)
        guard case .notFound = try await store.delete(job.id, tenant: Self.bob) else {
            Issue.record("another tenant cannot delete")
            return
        }
        #expect(try await store.jobs(JobQuery(tenantID: Self.bob)).jobs.isEmpty)
        #expect(try await store.jobs(JobQuery(tenantID: Self.alice)).jobs.map(\.id) == [job.id])
    }

    func unfinishedJobsAreCountedPerTenant(_ store: any Store) async throws {
        #expect(try await store.countUnfinishedJobs(tenant: Self.alice, upTo: 10) == 0)
        for _ in 0..<4 { try await submit(store, tenant: Self.alice) }
        let cancelled = try await submit(store, tenant: Self.alice)
        try await submit(store, tenant: Self.bob)
        _ = try await store.cancel(cancelled.id, tenant: Self.alice, now: Self.at(1))
        let claimed = try await claim(store, limit: 2, at: 2)
        #expect(claimed.count == 2)
        #expect(try await store.countUnfinishedJobs(tenant: Self.alice, upTo: 10) == 4, "queued and running count; cancelled does not")
        let finished = try #require(claimed.first { $0.job.tenantID == Self.alice })
        #expect(try await store.complete(finished.lease, result: Self.sampleResult, itemErrors: 0, now: Self.at(3)))
        #expect(try await store.countUnfinishedJobs(tenant: Self.alice, upTo: 10) == 3, "a succeeded job no longer counts")
        #expect(try await store.countUnfinishedJobs(tenant: Self.alice, upTo: 2) == 2, "counting stops at the limit")
        #expect(try await store.countUnfinishedJobs(tenant: Self.bob, upTo: 10) == 1, "each tenant counts its own")
    }

    func listingPagesAndFilters(_ store: any Store) async throws {
        var ids: [JobID] = []
        for index in 0..<7 {
            ids.append(try await submit(store, type: index % 2 == 0 ? "even" : "odd", at: Double(index)).id)
        }
        try await submit(store, tenant: Self.bob, at: 10)
        var seen: [JobID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await store.jobs(JobQuery(tenantID: Self.alice, limit: 3, cursor: cursor))
            #expect(page.jobs.count <= 3)
            seen += page.jobs.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(seen == ids.reversed(), "newest first, each exactly once")
        #expect(pages == 3)
        let odd = try await store.jobs(JobQuery(tenantID: Self.alice, type: "odd"))
        #expect(odd.jobs.map(\.id) == [ids[5], ids[3], ids[1]])
        let lease = try #require(try await claim(store, at: 20).first).lease
        let running = try await store.jobs(JobQuery(tenantID: Self.alice, states: [.running]))
        #expect(running.jobs.map(\.id) == [lease.jobID])
        let queuedEven = try await store.jobs(JobQuery(tenantID: Self.alice, states: [.queued], type: "even"))
        #expect(Set(queuedEven.jobs.map(\.id)) == Set([ids[0], ids[2], ids[4], ids[6]]).subtracting([lease.jobID]))
    }

    func deleteOnlyTerminal(_ store: any Store) async throws {
        let job = try await submit(store)
        guard case .notTerminal = try await store.delete(job.id, tenant: Self.alice) else {
            Issue.record("a queued job cannot be deleted")
            return
        }
        let lease = try #require(try await claim(store, at: 0).first).lease
        #expect(try await store.complete(lease, result: Self.sampleResult, itemErrors: 0, now: Self.at(1)))
        guard case .deleted(let deleted) = try await store.delete(job.id, tenant: Self.alice) else {
            Issue.record("a succeeded job can be deleted")
            return
        }
        #expect(deleted.result == Self.sampleResult)
        #expect(try await store.job(job.id, tenant: nil) == nil)
        guard case .notFound = try await store.delete(job.id, tenant: Self.alice) else {
            Issue.record("a deleted job is gone")
            return
        }
    }

    func tenantsAndSecrets(_ store: any Store) async throws {
        #expect(try await store.tenantCount() == 0)
        let credentials = try await store.createTenant(named: "acme", now: Self.t0)
        #expect(try await store.tenantCount() == 1)
        let tenant = try #require(try await store.tenant(named: "acme"))
        #expect(try await store.tenantID(forAPIKeyHash: TenantCredentials.hash(credentials.apiKey)) == tenant.id)
        #expect(try await store.tenantID(forAPIKeyHash: credentials.apiKey) == nil, "keys are stored hashed, not in plain text")
        let client = try #require(try await store.client(id: credentials.clientId))
        #expect(client.tenantID == tenant.id)
        #expect(client.secretHash == TenantCredentials.hash(credentials.clientSecret))
        do {
            _ = try await store.createTenant(named: "acme", now: Self.t0)
            Issue.record("tenant names are unique")
        } catch let error as JobError {
            #expect(error.code == .tenantExists)
        }
        #expect(try await store.tenantCount() == 1)
        let secrets = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 { group.addTask { try await store.secret(named: "signing", orInsert: "candidate-\(index)") } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(secrets.count == 1, "concurrent callers agree on one secret")
        #expect(try await store.secret(named: "signing", orInsert: "later") == secrets.first)
    }

    func pruneFinishedJobs(_ store: any Store) async throws {
        // Three jobs end at t+10, t+20 and t+30 (succeeded, failed, cancelled); one stays queued and
        // one running, however old.
        let succeeded = try await submit(store, at: 0)
        let failed = try await submit(store, tenant: Self.bob, at: 0)
        let cancelled = try await submit(store, at: 0)
        let running = try await submit(store, at: 0)
        let queued = try await submit(store, at: 0)
        let leases = try await claim(store, limit: 4, at: 1, lease: 1_000).map(\.lease)
        let byID = Dictionary(uniqueKeysWithValues: leases.map { ($0.jobID, $0) })
        #expect(try await store.complete(try #require(byID[succeeded.id]), result: Self.sampleResult, itemErrors: 0, now: Self.at(10)))
        #expect(try await store.fail(try #require(byID[failed.id]), failure: JobFailure(code: "x", message: "y"), retryAt: nil, now: Self.at(20)))
        guard case .cancelled = try await store.cancel(cancelled.id, tenant: Self.alice, now: Self.at(30)) else {
            Issue.record("a queued job can be cancelled")
            return
        }
        #expect(byID[running.id] != nil)

        #expect(try await store.pruneFinishedJobs(endedBefore: Self.at(10), limit: 10).isEmpty, "nothing ended before t+10")
        let first = try await store.pruneFinishedJobs(endedBefore: Self.at(100), limit: 2)
        #expect(first.map(\.id) == [succeeded.id, failed.id], "oldest first, any tenant, at most the limit")
        #expect(first.first?.result == Self.sampleResult, "pruned jobs come back with their result, to delete it")
        #expect(try await store.pruneFinishedJobs(endedBefore: Self.at(100), limit: 2).map(\.id) == [cancelled.id])
        #expect(try await store.pruneFinishedJobs(endedBefore: Self.at(10_000), limit: 10).isEmpty, "unfinished jobs are never pruned")
        #expect(try await store.job(succeeded.id, tenant: nil) == nil)
        #expect(try await state(store, running.id) == .running)
        #expect(try await state(store, queued.id) == .queued)
    }

    func expireResults(_ store: any Store) async throws {
        // Two results stored at t+10 and t+20 (different tenants); a failed job and a job that
        // succeeded without a result have nothing to expire.
        let older = try await submit(store, at: 0)
        let newer = try await submit(store, tenant: Self.bob, at: 0)
        let failed = try await submit(store, at: 0)
        let empty = try await submit(store, at: 0)
        let byID = Dictionary(uniqueKeysWithValues: try await claim(store, limit: 4, at: 1, lease: 1_000).map { ($0.lease.jobID, $0.lease) })
        #expect(try await store.complete(try #require(byID[older.id]), result: Self.sampleResult, itemErrors: 0, now: Self.at(10)))
        var second = Self.sampleResult
        second.key = "k/2/demo.csv"
        #expect(try await store.complete(try #require(byID[newer.id]), result: second, itemErrors: 0, now: Self.at(20)))
        #expect(try await store.fail(try #require(byID[failed.id]), failure: JobFailure(code: "x", message: "y"), retryAt: nil, now: Self.at(5)))
        #expect(try await store.complete(try #require(byID[empty.id]), result: nil, itemErrors: 0, now: Self.at(5)))

        #expect(try await store.expireResults(finishedBefore: Self.at(10), limit: 10, now: Self.at(50)).isEmpty, "nothing stored before t+10")
        let first = try await store.expireResults(finishedBefore: Self.at(100), limit: 1, now: Self.at(100))
        #expect(first.map(\.id) == [older.id], "oldest first, at most the limit")
        #expect(first.first?.result == Self.sampleResult, "expired jobs come back with their result, to delete it")
        #expect(first.first?.resultExpiredAt == Self.at(100))
        let rest = try await store.expireResults(finishedBefore: Self.at(100), limit: 10, now: Self.at(101))
        #expect(rest.map(\.id) == [newer.id], "any tenant; an expired result is not expired again")
        #expect(try await store.expireResults(finishedBefore: Self.at(10_000), limit: 10, now: Self.at(102)).isEmpty)

        let read = try #require(try await store.job(older.id, tenant: Self.alice))
        #expect(read.state == .succeeded, "the job stays, only its result goes")
        #expect(read.resultExpiredAt == Self.at(100))
        #expect(read.result == Self.sampleResult)
        #expect(try await store.job(failed.id, tenant: nil)?.resultExpiredAt == nil)
        #expect(try await store.job(empty.id, tenant: nil)?.resultExpiredAt == nil)
        // The job itself is still pruned by job retention, result expired or not.
        #expect(try await store.pruneFinishedJobs(endedBefore: Self.at(100), limit: 10).count == 4)
    }

    func passportTokensAndNonces(_ store: any Store) async throws {
        _ = try await store.createTenant(named: "acme", now: Self.t0)
        let tenant = try #require(try await store.tenant(named: "acme"))
        let token = PassportToken(tokenID: "tok-1", consumerKey: "ck-1", account: "ACME", tenantID: tenant.id, sealedKey: "sealed", createdAt: Self.t0)
        try await store.createPassportToken(token)
        #expect(try await store.passportToken(id: "tok-1") == token)
        #expect(try await store.passportToken(id: "tok-2") == nil)

        #expect(try await store.useNonce("abcdef", consumerKey: "ck-1", expiresAt: Self.at(300), now: Self.at(0)))
        #expect(try await store.useNonce("abcdef", consumerKey: "ck-1", expiresAt: Self.at(400), now: Self.at(100)) == false, "a nonce is used once")
        #expect(try await store.useNonce("abcdef", consumerKey: "ck-2", expiresAt: Self.at(400), now: Self.at(100)), "nonces are per consumer key")
        #expect(try await store.useNonce("abcdef", consumerKey: "ck-1", expiresAt: Self.at(700), now: Self.at(301)), "forgotten once expired")
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await store.useNonce("racing", consumerKey: "ck-1", expiresAt: Self.at(700), now: Self.at(302)) } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1, "of concurrent uses exactly one wins")
        #expect(try await store.useNonce("kept", consumerKey: "ck-1", expiresAt: Self.at(2_000), now: Self.at(400)))
        try await store.forgetExpiredNonces(now: Self.at(1_000))
        #expect(try await store.useNonce("kept", consumerKey: "ck-1", expiresAt: Self.at(2_500), now: Self.at(1_500)) == false, "forgetting spares what has not expired")
        #expect(try await store.useNonce("racing", consumerKey: "ck-1", expiresAt: Self.at(2_500), now: Self.at(1_500)), "what had expired is gone")
    }
}
