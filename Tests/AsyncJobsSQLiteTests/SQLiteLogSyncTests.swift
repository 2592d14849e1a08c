import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import Synchronization
import Testing

/// Every write but a claim commits without waiting for the disk and then waits for a sync of the
/// write-ahead log. These tests put a sync they can hold back, count or fail in place of the
/// `fdatasync`, to see what happens meanwhile.
@Suite struct SQLiteLogSyncTests {
    static let tenant = TenantID("t")

    static func newJob(_ n: Int = 0) -> NewJob {
        NewJob(tenantID: tenant, type: "x", parameters: ["n": .number(Double(n))], maxAttempts: 3, now: Date())
    }

    static func claimRequest(limit: Int = 10) -> ClaimRequest {
        ClaimRequest(workerID: "w", types: nil, limit: limit, leaseExpiry: Date() + 30, now: Date())
    }

    /// A store in `directory` whose log syncs go through `sync`.
    private static func store(in directory: TemporaryDirectory, syncingWith sync: HeldSync) throws -> SQLiteJobStore {
        try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { try await sync.sync() })
    }

    @Test func submissionIsClaimableAndReportedBeforeItsSyncEndsAndReturnsOnlyAfterIt() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try Self.store(in: directory, syncingWith: sync)
        let changes = ChangeLog()

        try await withThrowingTaskGroup(of: Void.self) { group in
            // A failed wait must not leave a call held: the group waits for its tasks.
            defer { sync.release() }
            group.addTask { try await store.followChanges { changes.record($0) } }
            // The feed reports only what commits after it is followed.
            try await eventually("the feed to be followed") { store.changeListenerCount == 1 }
            let returned = Latch()
            group.addTask {
                _ = try await store.submit(Self.newJob())
                returned.set()
            }
            try await eventually("the submission to wait for its sync") { sync.started == 1 }

            #expect(changes.all == [.jobsQueued])
            let claimed = try await store.claim(Self.claimRequest())
            #expect(claimed.count == 1)
            #expect(!returned.isSet)

            sync.release()
            try await eventually("the submission to return") { returned.isSet }
            group.cancelAll()
        }
    }

    @Test func aWorkerStartsTheHandlerWhileTheSubmissionWaitsForTheDisk() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try Self.store(in: directory, syncingWith: sync)
        let started = Latch()
        let handler = JobHandler(type: "x") { _ in
            started.set()
            return JobOutcome()
        }
        // Offers refused: the job goes through the pool's claim (`SQLiteHandOverTests` covers the
        // hand-over), and what wakes the pool for that claim is the point of this test.
        let claims = ClaimCounting(store, refusingOffers: true)
        let queue = JobQueue(store: claims, results: MemoryResultStore(), registry: JobRegistry([handler]))
        // Once the pool's start-up claim has come back empty, only a wake-up makes it claim again,
        // and before `submit` returns the only one is the store's report of the commit (the queue
        // signals after `submit` returns).
        let services = queue.servicesPollingHourly(changeFeed: store)
        try await withRunningServices(services) {
            try await eventually("the relay to follow the store") { store.changeListenerCount == 1 }
            try await eventually("the pool's start-up claim to return") { claims.returned.count >= 1 }

            try await withThrowingTaskGroup(of: Void.self) { group in
                // A failed wait must not leave a call held: the group waits for its tasks.
                defer { sync.release() }
                let returned = Latch()
                group.addTask {
                    _ = try await queue.submit(tenant: Self.tenant, type: "x", parameters: ["n": 1])
                    returned.set()
                }
                try await eventually("the handler to start") { started.isSet }
                #expect(!returned.isSet)
                sync.release()
                try await group.waitForAll()
            }
        }
    }

    @Test func aJobHandedOverIsClaimedBeforeTheSyncItsSubmissionWaitsFor() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try Self.store(in: directory, syncingWith: sync)
        let offer = WaitingClaim(workerID: "w", types: ["x"], limit: 1, leaseDuration: .seconds(30))
        #expect(store.handOffSubmissions(to: offer))

        try await withThrowingTaskGroup(of: Void.self) { group in
            // A failed wait must not leave a call held: the group waits for its tasks.
            defer { sync.release() }
            let returned = Latch()
            group.addTask {
                _ = try await store.submit(Self.newJob())
                returned.set()
            }
            try await eventually("the submission to wait for its sync") { sync.started == 1 }

            // Withdrawn now, the offer holds only what committed before that sync began.
            #expect(await offer.end().count == 1)
            #expect(!returned.isSet)
            sync.release()
            try await group.waitForAll()
            #expect(sync.started == 1)
        }
    }

    @Test func completionReturnsOnlyAfterItsSync() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try Self.store(in: directory, syncingWith: sync)
        sync.release()
        let id = try await store.submit(Self.newJob()).job.id
        let lease = try #require(try await store.claim(Self.claimRequest()).first).lease

        sync.hold()
        let syncsBefore = sync.started
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A failed wait must not leave a call held: the group waits for its tasks.
            defer { sync.release() }
            let returned = Latch()
            group.addTask {
                let completed = try await store.complete(lease, result: nil, itemErrors: 0, now: Date())
                #expect(completed)
                returned.set()
            }
            try await eventually("the completion to wait for its sync") { sync.started == syncsBefore + 1 }
            #expect(try await store.job(id, tenant: Self.tenant)?.state == .succeeded)
            #expect(!returned.isSet)
            sync.release()
            try await group.waitForAll()
            #expect(returned.isSet)
        }
    }

    @Test func callersThatCommitDuringASyncShareTheNext() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try Self.store(in: directory, syncingWith: sync)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A failed wait must not leave a call held: the group waits for its tasks.
            defer { sync.release() }
            group.addTask { _ = try await store.submit(Self.newJob(0)) }
            try await eventually { sync.started == 1 }
            for n in 1...20 {
                group.addTask { _ = try await store.submit(Self.newJob(n)) }
            }
            // All twenty committed, without waiting for the disk, and wait behind the first sync.
            try await eventually("twenty submissions to queue for the next sync") { store.logSyncsWaiting == 20 }
            #expect(try await store.countUnfinishedJobs(tenant: Self.tenant, upTo: 100) == 21)
            sync.release()
            try await group.waitForAll()
        }
        #expect(sync.started == 2)
    }

    @Test func everyWriteButAClaimWaitsForASync() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        sync.release()
        let store = try Self.store(in: directory, syncingWith: sync)
        let now = Date()

        func syncs(_ write: () async throws -> Void) async throws -> Int {
            let before = sync.started
            try await write()
            return sync.started - before
        }

        let ids = try await store.submit((0..<5).map { Self.newJob($0) }).map(\.job.id)
        #expect(try await syncs { _ = try await store.submit(Self.newJob(5)) } == 1)
        #expect(try await syncs { _ = try await store.submit([Self.newJob(6)]) } == 1)
        var claimed: [ClaimedJob] = []
        #expect(try await syncs { claimed = try await store.claim(Self.claimRequest(limit: 5)) } == 0)
        let leases = claimed.map(\.lease)
        try #require(leases.count == 5)
        #expect(try await syncs { _ = try await store.heartbeat(leases[0], until: now + 60, progress: nil, now: now) } == 1)
        #expect(try await syncs { _ = try await store.complete(leases[0], result: nil, itemErrors: 0, now: now) } == 1)
        #expect(try await syncs { _ = try await store.fail(leases[1], failure: JobFailure(code: "x", message: "retry"), retryAt: now, now: now) } == 1)
        #expect(try await syncs { _ = try await store.fail(leases[2], failure: JobFailure(code: "x", message: "last"), retryAt: nil, now: now) } == 1)
        #expect(try await syncs { _ = try await store.release(leases[3], now: now) } == 1)
        #expect(try await syncs { _ = try await store.cancel(ids[4], tenant: Self.tenant, now: now) } == 1)
        #expect(try await syncs { _ = try await store.delete(ids[4], tenant: Self.tenant) } == 1)
        #expect(try await syncs { _ = try await store.requeueExpiredLeases(now: now + 3600) } == 1)
        #expect(try await syncs { _ = try await store.expireResults(finishedBefore: now + 3600, limit: 10, now: now) } == 1)
        #expect(try await syncs { _ = try await store.pruneFinishedJobs(endedBefore: now + 3600, limit: 10) } == 1)
        #expect(try await syncs { _ = try await store.createTenant(named: "acme") } == 1)
        #expect(try await syncs { _ = try await store.secret(named: "s", orInsert: "v") } == 1)
        let acme = try #require(try await store.tenant(named: "acme"))
        let token = PassportToken(tokenID: "t1", consumerKey: "c", account: "a", tenantID: acme.id, sealedKey: "k", createdAt: now)
        #expect(try await syncs { try await store.createPassportToken(token) } == 1)
        #expect(try await syncs { _ = try await store.useNonce("n", consumerKey: "c", expiresAt: now + 60, now: now) } == 1)
        #expect(try await syncs { try await store.forgetExpiredNonces(now: now + 3600) } == 1)
    }

    @Test func afterAFailedSyncEveryDurableWriteFailsUntilRestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        let calls = Tally()
        // The first sync fails, as after an I/O error; later ones would succeed.
        let store = try SQLiteJobStore(path: path, syncLog: {
            if calls.add() == 1 { throw DiskFailure() }
        })
        await #expect(throws: DiskFailure.self) { try await store.submit(Self.newJob()) }
        // The claim waits for no sync: the job committed, only its durability is unknown.
        let claimed = try await store.claim(Self.claimRequest())
        #expect(claimed.count == 1)
        let refused = await #expect(throws: JobError.self) { try await store.complete(claimed[0].lease, result: nil, itemErrors: 0, now: Date()) }
        #expect(refused?.code == .storage)
        await #expect(throws: JobError.self) { try await store.submit([Self.newJob(1)]) }
        await #expect(throws: JobError.self) { try await store.createTenant(named: "late") }
        #expect(calls.count == 1)

        // A new store (the restarted process) syncs again.
        let reopened = try SQLiteJobStore(path: path, syncLog: {})
        _ = try await reopened.submit(Self.newJob(2))
    }

    @Test func theLogIsFoundBesideTheFileALinkNames() async throws {
        // SQLite resolves symbolic links and keeps the log beside the file itself; a sync of a log
        // beside the link would fail to open.
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.sqlite", withDestinationPath: directory.path + "/real/jobs.sqlite")
        let store = try SQLiteJobStore(path: directory.path + "/link.sqlite")
        let id = try await store.submit(Self.newJob()).job.id
        #expect(FileManager.default.fileExists(atPath: directory.path + "/real/jobs.sqlite-wal"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/link.sqlite-wal"))
        #expect(try await store.job(id, tenant: Self.tenant)?.state == .queued)
    }
}

private struct DiskFailure: Error {}

/// A sync that waits while held, counting the syncs begun. A held sync also ends when its task is
/// cancelled, so that a failing test ends instead of hanging.
private final class HeldSync: Sendable {
    private struct State {
        var started = 0
        var holding = true
        var nextID = 0
        var held: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    var started: Int { state.withLock { $0.started } }

    func sync() async throws {
        let id = state.withLock { state in
            state.started += 1
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let passes = state.withLock { state -> Bool in
                    if !state.holding || Task.isCancelled { return true }
                    state.held[id] = continuation
                    return false
                }
                if passes { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.held.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Holds the syncs that begin from now on.
    func hold() {
        state.withLock { $0.holding = true }
    }

    /// Ends the syncs being held and lets later ones pass.
    func release() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held.removeAll() }
            return Array(state.held.values)
        }
        for continuation in held { continuation.resume() }
    }
}
