import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import GRDB
import ServiceLifecycle
import Testing

/// An idle worker pool offers its free places (``WaitingClaim``); the SQLite store fills them in
/// the transaction that submits the jobs, so that no claim runs between a submission and its handler.
@Suite struct SQLiteHandOverTests {
    static let tenant = TenantID("t")

    static func newJob(_ type: String = "x", _ n: Int = 0, idempotencyKey: String? = nil) -> NewJob {
        NewJob(tenantID: tenant, type: type, parameters: ["n": .number(Double(n))], maxAttempts: 3, idempotencyKey: idempotencyKey, now: Date())
    }

    static func offer(types: [String] = ["x"], limit: Int) -> WaitingClaim {
        WaitingClaim(workerID: "w", types: types, limit: limit, leaseDuration: .seconds(30))
    }

    private static func store(in directory: TemporaryDirectory) throws -> SQLiteJobStore {
        try SQLiteJobStore(path: directory.path + "/jobs.sqlite")
    }

    /// Runs `services` and, once the relay follows `store` and the pool has offered its places,
    /// `body`; sets `finish`, which the handlers wait for, when `body` ends.
    private static func withIdlePool(
        _ services: [any Service],
        store: SQLiteJobStore,
        finish: Latch,
        _ body: @Sendable () async throws -> Void
    ) async throws {
        try await withRunningServices(services) {
            defer { finish.set() }
            try await eventually("the relay to follow the store") { store.changeListenerCount == 1 }
            try await eventually("the pool to offer its places") { store.openWaitingClaimCount == 1 }
            try await body()
        }
    }

    @Test func aSubmissionFillsTheOfferInItsOwnTransactionOldestFirst() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let earlier = try await store.submit(Self.newJob("x", 0)).job
        let offer = Self.offer(limit: 2)
        #expect(store.handOffSubmissions(to: offer))

        let batch = try await store.submit([Self.newJob("x", 1), Self.newJob("x", 2)]).map(\.job)
        let handed = await offer.end()

        // The job that was already due comes first, as a claim would take it.
        #expect(handed.map(\.job.id) == [earlier.id, batch[0].id])
        for claimed in handed {
            #expect(claimed.job.state == .running)
            #expect(claimed.job.attempt == 1)
            #expect(try await store.job(claimed.job.id, tenant: nil)?.state == .running)
            #expect(try await store.complete(claimed.lease, result: nil, itemErrors: 0, now: Date()))
        }
        #expect(try await store.job(batch[1].id, tenant: nil)?.state == .queued)
        let left = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 10, leaseExpiry: Date() + 30, now: Date()))
        #expect(left.map(\.job.id) == [batch[1].id])
    }

    @Test func singleSubmissionsFillTheOfferUpToItsLimit() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let offer = Self.offer(limit: 2)
        #expect(store.handOffSubmissions(to: offer))

        var submitted: [JobID] = []
        for n in 0..<3 { submitted.append(try await store.submit(Self.newJob("x", n)).job.id) }
        let handed = await offer.end()

        #expect(handed.map(\.job.id) == Array(submitted.prefix(2)))
        #expect(try await store.job(submitted[2], tenant: nil)?.state == .queued)
        #expect(store.openWaitingClaimCount == 0)
    }

    @Test func jobsOfOtherTypesAndEndedOffersAreLeftQueued() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let otherType = Self.offer(types: ["y"], limit: 5)
        let ended = Self.offer(limit: 5)
        #expect(store.handOffSubmissions(to: otherType))
        #expect(store.handOffSubmissions(to: ended))
        #expect(await ended.end().isEmpty)

        let job = try await store.submit(Self.newJob("x")).job

        #expect(await otherType.end().isEmpty)
        #expect(try await store.job(job.id, tenant: nil)?.state == .queued)
    }

    @Test func aBatchThatFailsHandsNothingOverAndKeepsThePlaces() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let first = try await store.submit(Self.newJob("x", 0, idempotencyKey: "k")).job
        let offer = Self.offer(limit: 5)
        #expect(store.handOffSubmissions(to: offer))

        // The same key for different parameters: the whole batch is refused.
        await #expect(throws: JobError.self) {
            try await store.submit([Self.newJob("x", 1), Self.newJob("x", 2, idempotencyKey: "k")])
        }
        let later = try await store.submit(Self.newJob("x", 3)).job
        let handed = await offer.end()

        #expect(handed.map(\.job.id) == [first.id, later.id])
        let page = try await store.jobs(JobQuery(tenantID: Self.tenant, limit: 10))
        #expect(page.jobs.count == 2)
    }

    @Test func aClaimThatFailsInTheHandOverLeavesTheSubmissionStored() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let database = try DatabaseQueue(path: directory.path + "/jobs.sqlite")
        try await database.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_claims BEFORE UPDATE OF state ON jobs WHEN NEW.state = 'running'
                    BEGIN SELECT RAISE(ABORT, 'claims refused'); END
                    """
            )
        }
        let offer = Self.offer(limit: 2)
        #expect(store.handOffSubmissions(to: offer))

        let refused = try await store.submit(Self.newJob("x", 0)).job
        #expect(try await store.job(refused.id, tenant: nil)?.state == .queued)

        // The failed claim gave its places back: once claims work again, the offer takes both jobs.
        try await database.write { db in try db.execute(sql: "DROP TRIGGER refuse_claims") }
        let later = try await store.submit(Self.newJob("x", 1)).job
        #expect(await offer.end().map(\.job.id) == [refused.id, later.id])
    }

    @Test func aPoolWithoutAChangeFeedIsWokenByItsHandOver() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let started = Latch()
        let handler = JobHandler(type: "x") { _ in
            started.set()
            return JobOutcome()
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([handler]))
        // No relay and hour-long leases; the submission goes to the store, not through the queue,
        // so nothing but the hand-over itself can wake the pool. (Without it, the lease would lapse
        // and the reaper would queue the job again, for a second attempt.)
        let services = queue.servicesPollingHourly(leaseDuration: .seconds(3_600), changeFeed: nil)
        try await withRunningServices(services) {
            try await eventually("the pool to offer its places") { store.openWaitingClaimCount == 1 }
            let id = try await store.submit(Self.newJob("x")).job.id
            try await eventually("the handler to start") { started.isSet }
            try await eventually("the job to succeed") { try await store.job(id, tenant: nil)?.state == .succeeded }
            #expect(try await store.job(id, tenant: nil)?.attempt == 1)
        }
    }

    @Test func anIdlePoolRunsASubmittedJobWithoutAClaimOfItsOwn() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let claims = ClaimCounting(store)
        let started = Latch()
        let finish = Latch()
        let handler = JobHandler(type: "x") { _ in
            started.set()
            await finish.wait()
            return JobOutcome()
        }
        let queue = JobQueue(store: claims, results: MemoryResultStore(), registry: JobRegistry([handler]))
        try await Self.withIdlePool(queue.servicesPollingHourly(changeFeed: store), store: store, finish: finish) {
            let id = try await queue.submit(tenant: Self.tenant, type: "x", parameters: ["n": 1]).job.id
            try await eventually("the handler to start") { started.isSet }

            // The queue's own wake-up after `submit` may make the pool claim again; that claim finds nothing.
            #expect(!claims.claimedIDs.contains(id))
            let job = try await store.job(id, tenant: nil)
            #expect(job?.state == .running)
            finish.set()
            try await eventually("the job to succeed") { try await store.job(id, tenant: nil)?.state == .succeeded }
        }
    }

    @Test func aJobOfALimitedTypeSubmittedBesideAHandedOverOneStillStarts() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.store(in: directory)
        let started = Tally()
        let finish = Latch()
        let run: @Sendable (JobContext) async throws -> JobOutcome = { _ in
            started.add()
            await finish.wait()
            return JobOutcome()
        }
        let unlimited = JobHandler(type: "x", run: run)
        let limited = JobHandler(type: "l", options: JobTypeOptions(concurrencyLimit: 1), run: run)
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([unlimited, limited]))
        try await Self.withIdlePool(queue.servicesPollingHourly(concurrency: 4, changeFeed: store), store: store, finish: finish) {
            // One transaction: the offer takes "x", and "l", which has a limit of its own, stays queued.
            _ = try await store.submit([Self.newJob("x"), Self.newJob("l")])

            // After collecting "x", the pool claims "l" itself.
            try await eventually("both handlers to start") { started.count == 2 }
        }
    }
}
