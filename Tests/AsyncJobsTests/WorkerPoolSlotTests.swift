@testable import AsyncJobs
import AsyncJobsTestSupport
import Foundation
import Synchronization
import Testing

/// A handler's place in the pool, and the outcomes still being written when it is given back.
@Suite struct WorkerPoolSlotTests {
    static let tenant = TenantID("tenant")

    @Test func theNextJobStartsWhileTheLastOutcomeIsWrittenAndNoMoreThanThat() async throws {
        let store = HeldCompletionsStore()
        let started = Mutex<[String]>([])
        let quick = JobHandler(type: "quick") { context in
            started.withLock { $0.append(context.job.id.rawValue) }
            return .success
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([quick]))
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 1, pollInterval: .seconds(60)))
        try await withRunningServices([pool]) {
            defer { store.release() }  // also when an expectation below throws: the shutdown waits for the writes
            var ids: [JobID] = []
            for _ in 0..<3 { ids.append(try await queue.submit(tenant: Self.tenant, type: "quick", parameters: [:]).job.id) }
            // One place: the second job ran while the first one's completion could not be written.
            try await eventually(timeout: .seconds(30), "two completions to be waiting") { store.waitingCount >= 2 }
            #expect(started.withLock { $0.count } == 2)
            #expect(try await store.job(ids[0], tenant: nil)?.state == .running)
            // With one place, at most one more outcome may wait to be written: the third job stays queued.
            try await Task.sleep(for: .milliseconds(300))
            #expect(started.withLock { $0.count } == 2)
            #expect(try await store.job(ids[2], tenant: nil)?.state == .queued)

            store.release()
            // Half the pool's 60 s poll: only the wakeup sent when a written outcome frees a place
            // starts the third job in time.
            for id in ids {
                try await eventually(timeout: .seconds(30), "job \(id) to succeed") { try await store.job(id, tenant: nil)?.state == .succeeded }
            }
            #expect(started.withLock { $0 } .sorted() == ids.map(\.rawValue).sorted())
        }
    }

    @Test func aShutdownWaitsForTheOutcomesBeingWritten() async throws {
        let store = HeldCompletionsStore()
        let quick = JobHandler(type: "quick") { _ in .success }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([quick]))
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 2, pollInterval: .seconds(60)))
        let id = try await queue.submit(tenant: Self.tenant, type: "quick", parameters: [:]).job.id
        let stopped = Latch()
        func runUntilTheOutcomeIsHeld() async throws {
            // Returning from the body shuts the services down while the completion is held.
            try await withRunningServices([pool]) {
                try await eventually("the completion to be held") { store.waitingCount == 1 }
            }
            stopped.set()
        }
        async let services: Void = runUntilTheOutcomeIsHeld()
        try await eventually("the completion to be held") { store.waitingCount == 1 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!stopped.isSet, "the shutdown did not wait for the outcome being written")
        #expect(try await store.job(id, tenant: nil)?.state == .running)
        store.release()
        try await services
        #expect(try await store.job(id, tenant: nil)?.state == .succeeded)
    }

    @Test(arguments: [
        // (concurrency, running, finishing, free places)
        (4, 0, 0, 4), (4, 3, 0, 1), (4, 4, 0, 0), (4, 0, 4, 4), (4, 2, 4, 2),
        (4, 0, 6, 2), (4, 0, 8, 0), (4, 3, 5, 0), (1, 0, 1, 1), (1, 0, 2, 0), (1, 1, 1, 0),
    ])
    func placesCountHandlersAndAtMostTwiceTheConcurrencyWithTheOutcomesBeingWritten(_ row: (Int, Int, Int, Int)) {
        #expect(WorkerPool.freePlaces(concurrency: row.0, running: row.1, finishing: row.2) == row.3)
    }
}

/// Holds every completion until ``release()``; counts those waiting.
final class HeldCompletionsStore: JobStoreDecorator {
    let base: any JobStore = MemoryJobStore()
    private let gate = Latch()
    private let waiting = Atomic<Int>(0)

    var waitingCount: Int { waiting.load(ordering: .acquiring) }

    func release() { gate.set() }

    func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        waiting.add(1, ordering: .acquiringAndReleasing)
        defer { waiting.subtract(1, ordering: .acquiringAndReleasing) }
        await gate.wait()
        // A store's I/O fails when its task is cancelled: a shutdown that cancelled the writes it
        // should wait for would leave the job running.
        try Task.checkCancellation()
        return try await base.complete(lease, result: result, itemErrors: itemErrors, now: now)
    }
}
