import AsyncJobs
import AsyncJobsTestSupport
import Foundation
import Synchronization
import Testing

/// The worker pool's one watch loop renews every running attempt's lease, writes its progress at a
/// bounded rate, retries a failed heartbeat soon, and stops watching an attempt once it has ended.
@Suite struct AttemptWatchTests {
    static let tenant = EngineHarness.tenant

    @Test func leasesAreRenewedWhileALongJobRunsAndNoLongerOnceItEnds() async throws {
        let store = HeartbeatRecordingStore()
        let release = Latch()
        let long = JobHandler(type: "long") { _ in
            await release.wait()
            return .success
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([long]))
        let lease = 0.4
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 2, leaseDuration: .seconds(lease), heartbeatInterval: .milliseconds(80)))
        try await withRunningServices([pool]) {
            let ids = [
                try await queue.submit(tenant: Self.tenant, type: "long", parameters: [:]).job.id,
                try await queue.submit(tenant: Self.tenant, type: "long", parameters: [:]).job.id,
            ]
            // Waits for renewals rather than a fixed time: the test machine may stall for seconds.
            try await eventually(timeout: .seconds(30), "three renewals of each lease") {
                ids.allSatisfy { id in store.heartbeats.filter { $0.job == id && $0.held }.count >= 3 }
            }
            release.set()
            for id in ids {
                try await eventually("job \(id) to finish") { try await store.job(id, tenant: nil)?.state == .succeeded }
            }
            let beats = store.heartbeats
            for id in ids {
                let job = try #require(try await store.job(id, tenant: nil))
                #expect(job.attempt == 1)
                let renewals = beats.filter { $0.job == id && $0.held }
                // Each beat moved the lease's end on, past where the claim put it.
                let firstEnd = try #require(job.startedAt).addingTimeInterval(lease)
                #expect(try #require(renewals.last).until.timeIntervalSince(firstEnd) > 0.2)
                #expect(zip(renewals, renewals.dropFirst()).allSatisfy { $0.until < $1.until })
            }
            // A beat already under way when its job ended may still land; no new one starts.
            try await Task.sleep(for: .milliseconds(400))
            #expect(store.heartbeats.count <= beats.count + ids.count, "heartbeats for attempts that have ended")
        }
    }

    @Test func anAttemptWhoseEndingIsDecidedIsNoLongerBeatenWhileItsHandlerWindsDown() async throws {
        let store = HeartbeatRecordingStore()
        // A continuation only the test resumes: the handler ignores cancellation, like one stuck in
        // blocking work.
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let stubborn = JobHandler(type: "stubborn") { _ in
            await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
            return .success
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([stubborn]))
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 1, heartbeatInterval: .milliseconds(50)))
        try await withRunningServices([pool]) {
            let id = try await queue.submit(tenant: Self.tenant, type: "stubborn", parameters: [:]).job.id
            try await eventually("the lease to be renewed") { store.heartbeats.contains { $0.job == id && $0.held } }
            _ = try await queue.cancel(id, tenant: Self.tenant)
            let beatsAtCancel = store.heartbeats.count
            // Absence can only be seen by letting time pass: six intervals, while the handler still runs.
            try await Task.sleep(for: .milliseconds(300))
            #expect(store.heartbeats.count <= beatsAtCancel + 1, "a beat already under way may land; no new one starts")
            stuck.withLock { $0.take() }?.resume()
            try await eventually("the job to stay cancelled once its handler returns") { try await store.job(id, tenant: nil)?.state == .cancelled }
        }
    }

    @Test func progressReportedInATightLoopIsWrittenAtABoundedRateAndTheLastReportIsKept() async throws {
        let store = HeartbeatRecordingStore()
        let stopReporting = Latch()
        let finish = Latch()
        let loop = Mutex((reports: 0, seconds: 0.0))
        let busy = JobHandler(type: "busy") { context in
            let started = Date()
            var reports = 0
            while !stopReporting.isSet {
                reports += 1
                context.reportProgress(min(Double(reports) / 1_000, 90))
                try await Task.sleep(for: .milliseconds(1))
            }
            loop.withLock { $0 = (reports, Date().timeIntervalSince(started)) }
            context.reportProgress(95)
            await finish.wait()
            return .success
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([busy]))
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 1, progressInterval: .milliseconds(50)))
        try await withRunningServices([pool]) {
            let id = try await queue.submit(tenant: Self.tenant, type: "busy", parameters: [:]).job.id
            // Progress is written while the handler is still reporting, not only at its end.
            try await eventually("three progress writes") { store.heartbeats.filter(\.carriedProgress).count >= 3 }
            stopReporting.set()
            try await eventually("the last report to be stored") { try await store.job(id, tenant: nil)?.progress.percent == 95 }
            let writes = store.heartbeats.filter(\.carriedProgress).count
            let (reports, seconds) = loop.withLock { $0 }
            // At most one write per 50 ms while reporting, then the last report.
            #expect(writes <= Int(seconds / 0.05) + 2, "\(writes) progress writes for \(reports) reports in \(seconds) s")
            finish.set()
            try await eventually("the job to finish") { try await store.job(id, tenant: nil)?.state == .succeeded }
        }
    }

    @Test func aFailedHeartbeatIsRetriedWithinSecondsNotAWholeIntervalLater() async throws {
        let store = HeartbeatRecordingStore(failingFirst: 1)
        let finish = Latch()
        let waiting = JobHandler(type: "waiting") { _ in
            await finish.wait()
            return .success
        }
        let queue = JobQueue(store: store, results: MemoryResultStore(), registry: JobRegistry([waiting]))
        let pool = WorkerPool(queue: queue, configuration: WorkerPoolConfiguration(concurrency: 1, leaseDuration: .seconds(60), heartbeatInterval: .seconds(8)))
        try await withRunningServices([pool]) {
            let id = try await queue.submit(tenant: Self.tenant, type: "waiting", parameters: [:]).job.id
            try await eventually(timeout: .seconds(30), "a heartbeat after the failed one") { store.heartbeats.count >= 2 }
            let beats = store.heartbeats
            #expect(beats[0].failed && beats[1].held)
            // The retry comes after about a second; the next regular beat would be 8 s later.
            let gap = beats[1].at.timeIntervalSince(beats[0].at)
            #expect(gap >= 0.9 && gap < 5, "retried after \(gap) s")
            finish.set()
            try await eventually("the job to finish") { try await store.job(id, tenant: nil)?.state == .succeeded }
        }
    }
}

/// A memory store that records every heartbeat (after it is answered) and can fail the first few.
final class HeartbeatRecordingStore: JobStoreDecorator {
    struct Beat: Sendable {
        var job: JobID
        var until: Date
        var carriedProgress: Bool
        var failed: Bool
        var held: Bool
        var at: Date
    }

    struct InjectedFailure: Error {}

    let base: any JobStore = MemoryJobStore()
    private let recorded = Mutex<(beats: [Beat], failuresLeft: Int)>(([], 0))

    init(failingFirst failures: Int = 0) {
        recorded.withLock { $0.failuresLeft = failures }
    }

    var heartbeats: [Beat] { recorded.withLock { $0.beats } }

    func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        let fail = recorded.withLock { recorded in
            defer { recorded.failuresLeft -= 1 }
            return recorded.failuresLeft > 0
        }
        let status = fail ? nil : try await base.heartbeat(lease, until: expiry, progress: progress, now: now)
        recorded.withLock {
            $0.beats.append(Beat(job: lease.jobID, until: expiry, carriedProgress: progress != nil, failed: fail, held: status == .held, at: Date()))
        }
        guard let status else { throw InjectedFailure() }
        return status
    }
}
