import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import Synchronization
import Testing

/// Submissions and completions commit without waiting for the disk and then wait for a sync of the
/// write-ahead log. These tests hold that sync back, or make it fail, to see what happens meanwhile.
@Suite struct SQLiteLogSyncTests {
    static let tenant = TenantID("t")

    static func newJob(_ n: Int = 0) -> NewJob {
        NewJob(tenantID: tenant, type: "x", parameters: ["n": .number(Double(n))], maxAttempts: 3, now: Date())
    }

    static func claimRequest(limit: Int = 10) -> ClaimRequest {
        ClaimRequest(workerID: "w", types: nil, limit: limit, leaseExpiry: Date() + 30, now: Date())
    }

    @Test func submissionIsClaimableAndReportedBeforeItsSyncEndsAndReturnsOnlyAfterIt() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { try await sync.sync() })
        let changes = ChangeLog()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.followChanges { changes.append($0) } }
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

            sync.releaseAll()
            try await eventually("the submission to return") { returned.isSet }
            group.cancelAll()
        }
    }

    @Test func aWorkerStartsTheHandlerWhileTheSubmissionWaitsForTheDisk() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { try await sync.sync() })
        let started = Latch()
        let handler = JobHandler(type: "x") { _ in
            started.set()
            return JobOutcome()
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([handler]))
        // A minute between polls: only the store's report of the commit can wake the pool in time.
        let services = queue.workerServices(
            pool: WorkerPoolConfiguration(concurrency: 2, pollInterval: .seconds(60)),
            retention: nil,
            changeFeed: store
        )
        try await withRunningServices(services) {
            try await eventually("the relay to follow the store") { store.changeListenerCount == 1 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let returned = Latch()
                group.addTask {
                    _ = try await queue.submit(tenant: Self.tenant, type: "x", parameters: ["n": 1])
                    returned.set()
                }
                try await eventually("the handler to start") { started.isSet }
                #expect(!returned.isSet)
                #expect(sync.started == 1)
                sync.releaseAll(andLetTheRestPass: true)
                try await group.waitForAll()
            }
        }
    }

    @Test func completionReturnsOnlyAfterItsSync() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { try await sync.sync() })
        async let submitted = store.submit(Self.newJob())
        try await eventually { sync.started == 1 }
        sync.releaseAll()
        let id = try await submitted.job.id
        let lease = try #require(try await store.claim(Self.claimRequest()).first).lease

        try await withThrowingTaskGroup(of: Void.self) { group in
            let returned = Latch()
            group.addTask {
                let completed = try await store.complete(lease, result: nil, itemErrors: 0, now: Date())
                #expect(completed)
                returned.set()
            }
            try await eventually("the completion to wait for its sync") { sync.started == 2 }
            #expect(try await store.job(id, tenant: Self.tenant)?.state == .succeeded)
            #expect(!returned.isSet)
            sync.releaseAll()
            try await group.waitForAll()
            #expect(returned.isSet)
        }
    }

    @Test func callersThatCommitDuringASyncShareTheNext() async throws {
        let directory = try TemporaryDirectory()
        let sync = HeldSync()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { try await sync.sync() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await store.submit(Self.newJob(0)) }
            try await eventually { sync.started == 1 }
            for n in 1...20 {
                group.addTask { _ = try await store.submit(Self.newJob(n)) }
            }
            // All twenty committed, without waiting for the disk, and wait behind the first sync.
            try await eventually("twenty submissions to queue for the next sync") { store.logSyncsWaiting == 20 }
            #expect(try await store.countUnfinishedJobs(tenant: Self.tenant, upTo: 100) == 21)
            sync.releaseAll(andLetTheRestPass: true)
            try await group.waitForAll()
        }
        #expect(sync.started == 2)
    }

    @Test func aFailedSyncFailsEveryCallThatWaitedForIt() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite", syncLog: { throw DiskFailure() })
        await #expect(throws: DiskFailure.self) { try await store.submit(Self.newJob()) }
        await #expect(throws: DiskFailure.self) { try await store.submit([Self.newJob(1), Self.newJob(2)]) }
        // The claim needs no sync: the jobs committed, only their durability is unknown.
        let claimed = try await store.claim(Self.claimRequest())
        #expect(claimed.count == 3)
        await #expect(throws: DiskFailure.self) { try await store.complete(claimed[0].lease, result: nil, itemErrors: 0, now: Date()) }
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

/// A sync that waits until released, counting the syncs begun.
private final class HeldSync: Sendable {
    private struct State {
        var started = 0
        var passThrough = false
        var held: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var started: Int { state.withLock { $0.started } }

    func sync() async throws {
        await withCheckedContinuation { continuation in
            let passes = state.withLock { state -> Bool in
                state.started += 1
                if state.passThrough { return true }
                state.held.append(continuation)
                return false
            }
            if passes { continuation.resume() }
        }
    }

    /// Ends the syncs being held; with `andLetTheRestPass`, later ones do not wait.
    func releaseAll(andLetTheRestPass: Bool = false) {
        let held = state.withLock { state in
            state.passThrough = state.passThrough || andLetTheRestPass
            defer { state.held.removeAll() }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }
}

/// The changes a feed delivered, in order.
private final class ChangeLog: Sendable {
    private let changes = Mutex<[JobChange]>([])

    var all: [JobChange] { changes.withLock { $0 } }

    func append(_ change: JobChange) {
        changes.withLock { $0.append(change) }
    }
}
