import AsyncJobs
import AsyncJobsTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct WorkerPoolTests {
    static let tenant = EngineHarness.tenant

    typealias Harness = EngineHarness

    static let fastRetry = JobTypeOptions(maxAttempts: 3, backoff: RetryBackoff(initial: .milliseconds(20), maximum: .milliseconds(40)))

    @Test func runsDemoJobAndStoresItsResult() async throws {
        let harness = Harness([DemoCSVJob.handler()])
        // The pool polls only once a minute: finishing fast proves the submission woke it.
        try await withRunningServices([harness.pool(poll: .seconds(60))]) {
            let id = try await harness.submit("demo.csv", ["rows": 250])
            let job = try await harness.waitFor(id, [.succeeded])
            let result = try #require(job.result)
            let expected = DemoCSVJob.header + (0..<250).map(DemoCSVJob.line).joined()
            #expect(harness.results.bytes(forKey: result.key) == Array(expected.utf8))
            #expect(result.size == Int64(expected.utf8.count))
            #expect(result.contentType == "text/csv")
            #expect(job.progress.percent == 100)
            #expect(job.attempt == 1)
        }
    }

    @Test func retriesWithBackoffUntilSuccess() async throws {
        let calls = Mutex(0)
        let flaky = JobHandler(type: "flaky", options: Self.fastRetry) { context in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if call < 3 { throw JobAttemptError(code: "flaky", message: "failure \(call)", isRetryable: true) }
            try await context.writeResult(fileName: "ok.txt", contentType: "text/plain") { try await $0.write("ok") }
            return .success
        }
        let harness = Harness([flaky])
        try await withRunningServices([harness.pool(poll: .milliseconds(20))]) {
            let id = try await harness.submit("flaky")
            let job = try await harness.waitFor(id, [.succeeded, .failed])
            #expect(job.state == .succeeded)
            #expect(job.attempt == 3)
            #expect(job.failure == nil)
            #expect(harness.results.keys.count == 1, "failed attempts leave no result behind")
        }
    }

    @Test func failsAfterMaxAttemptsWithTheLastError() async throws {
        let broken = JobHandler(type: "broken", options: Self.fastRetry) { _ in
            struct DiskFull: Error, CustomStringConvertible { var description: String { "disk full" } }
            throw DiskFull()
        }
        let harness = Harness([broken])
        try await withRunningServices([harness.pool(poll: .milliseconds(20))]) {
            let id = try await harness.submit("broken")
            let job = try await harness.waitFor(id, [.failed])
            #expect(job.attempt == 3)
            #expect(job.failure == JobFailure(code: "handler_error", message: "disk full"))
        }
    }

    @Test func nonRetryableErrorFailsAtOnce() async throws {
        let harness = Harness([DemoCSVJob.handler(options: Self.fastRetry)])
        try await withRunningServices([harness.pool()]) {
            let id = try await harness.submit("demo.csv", ["rows": 100, "failAtPercent": 50])
            let job = try await harness.waitFor(id, [.failed])
            #expect(job.attempt == 1)
            #expect(job.failure?.code == "demo_failure")
            #expect(job.failure?.message.contains("50%") == true)
            #expect(harness.results.keys.isEmpty, "the partial CSV was deleted")
        }
    }

    @Test func attemptThatOverrunsItsTimeoutIsStoppedAndFailed() async throws {
        let sawCancellation = Mutex(false)
        let slow = JobHandler(type: "slow", options: JobTypeOptions(maxAttempts: 1, timeout: .milliseconds(100))) { _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                sawCancellation.withLock { $0 = true }
                throw error
            }
            return .success
        }
        let harness = Harness([slow])
        try await withRunningServices([harness.pool()]) {
            let id = try await harness.submit("slow")
            let job = try await harness.waitFor(id, [.failed])
            #expect(job.failure?.code == "timeout")
            #expect(sawCancellation.withLock { $0 }, "the handler's task was cancelled")
        }
    }

    @Test func cancellingARunningJobCancelsItsHandler() async throws {
        let started = Wakeup()
        let sawCancellation = Mutex(false)
        let endless = JobHandler(type: "endless") { context in
            try await context.writeResult(fileName: "partial.txt", contentType: "text/plain") { writer in
                try await writer.write("partial")
                started.signal()
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    sawCancellation.withLock { $0 = true }
                    throw error
                }
            }
            return .success
        }
        let harness = Harness([endless])
        try await withRunningServices([harness.pool()]) {
            let id = try await harness.submit("endless")
            await started.wait(timeout: .seconds(10))
            #expect(try await harness.job(id).state == .running)
            guard case .cancelled(_, wasRunning: true) = try await harness.queue.cancel(id, tenant: Self.tenant) else {
                Issue.record("the running job should cancel")
                return
            }
            try await eventually("the handler to see cancellation") { sawCancellation.withLock { $0 } }
            #expect(try await harness.job(id).state == .cancelled)
        }
        #expect(harness.results.keys.isEmpty)
    }

    @Test func workerThatLosesItsLeaseStopsAndCannotComplete() async throws {
        let started = Wakeup()
        let release = Wakeup()
        let handlerReturned = Mutex(false)
        let stubborn = JobHandler(type: "stubborn") { context in
            started.signal()
            // Ignores cancellation on purpose, like a handler stuck in blocking work, then tries to finish.
            await withTaskCancellationHandler {
                await release.wait(timeout: .seconds(10))
            } onCancel: {
                release.signal()
            }
            try? await context.writeResult(fileName: "late.txt", contentType: "text/plain") { try await $0.write("late") }
            handlerReturned.withLock { $0 = true }
            return .success
        }
        let harness = Harness([stubborn])
        try await withRunningServices([harness.pool(lease: .seconds(2), heartbeat: .milliseconds(50))]) {
            let id = try await harness.submit("stubborn")
            await started.wait(timeout: .seconds(10))
            // Another node decides the lease lapsed and takes the job over.
            let future = Date().addingTimeInterval(3600)
            #expect(try await harness.store.requeueExpiredLeases(now: future) == 1)
            let thief = try await harness.store.claim(ClaimRequest(workerID: "other-node", types: nil, limit: 1, leaseExpiry: future.addingTimeInterval(60), now: future))
            #expect(thief.map(\.job.id) == [id])
            try await eventually("the first worker to give up") { handlerReturned.withLock { $0 } }
            try await eventually("its late result to be discarded") { harness.results.keys.isEmpty }
            let job = try await harness.job(id)
            #expect(job.state == .running, "still the other node's")
            #expect(job.attempt == 2)
            #expect(job.result == nil)
            #expect(try await harness.store.complete(thief[0].lease, result: nil, itemErrors: 0, now: future))
        }
    }

    @Test func gracefulShutdownReleasesUnfinishedJobs() async throws {
        let started = Wakeup()
        let endless = JobHandler(type: "endless") { _ in
            started.signal()
            try await Task.sleep(for: .seconds(60))
            return .success
        }
        let harness = Harness([endless])
        let id = try await withRunningServices([harness.pool(grace: .milliseconds(100))]) {
            let id = try await harness.submit("endless")
            await started.wait(timeout: .seconds(10))
            return id
        }
        let job = try await harness.job(id)
        #expect(job.state == .queued, "released for another worker, not lost and not failed")
        #expect(job.attempt == 1)
    }

    @Test func gracefulShutdownLetsShortJobsFinish() async throws {
        let started = Wakeup()
        let short = JobHandler(type: "short") { _ in
            started.signal()
            try await Task.sleep(for: .milliseconds(200))
            return .success
        }
        let harness = Harness([short])
        let id = try await withRunningServices([harness.pool(grace: .seconds(10))]) {
            let id = try await harness.submit("short")
            await started.wait(timeout: .seconds(10))
            return id
        }
        #expect(try await harness.job(id).state == .succeeded)
    }

    @Test func concurrencyLimitIsRespected() async throws {
        let running = Mutex((now: 0, peak: 0))
        let tracked = JobHandler(type: "tracked") { _ in
            running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds(30))
            running.withLock { $0.now -= 1 }
            return .success
        }
        let harness = Harness([tracked])
        try await withRunningServices([harness.pool(concurrency: 3)]) {
            var ids: [JobID] = []
            for _ in 0..<12 { ids.append(try await harness.submit("tracked")) }
            for id in ids { _ = try await harness.waitFor(id, [.succeeded]) }
        }
        #expect(running.withLock { $0.peak } == 3)
    }

    @Test func progressIsStoredWithAnEstimate() async throws {
        let halfway = Wakeup()
        let finish = Wakeup()
        // When the handler started and the moments around its report, read by the test: a loaded
        // machine can stretch the 200 ms sleep to seconds, so the bounds come from these, not a constant.
        let moments = Mutex<(started: Date, beforeReport: Date, afterReport: Date)?>(nil)
        let stepped = JobHandler(type: "stepped") { context in
            let started = Date()
            try await Task.sleep(for: .milliseconds(200))
            let beforeReport = Date()
            context.reportProgress(50)
            moments.withLock { $0 = (started, beforeReport, Date()) }
            halfway.signal()
            await finish.wait(timeout: .seconds(10))
            return .success
        }
        let harness = Harness([stepped])
        try await withRunningServices([harness.pool()]) {
            let submitted = Date()
            let id = try await harness.submit("stepped")
            await halfway.wait(timeout: .seconds(10))
            try await eventually("progress to be stored") { try await harness.job(id).progress.percent == 50 }
            let estimate = try #require(try await harness.job(id).progress.estimatedSecondsRemaining)
            let seen = try #require(moments.withLock { $0 })
            // Half done at a steady rate leaves as long again as has passed since the attempt started,
            // which was after the submission and before the handler ran.
            let slack = 0.01
            #expect(estimate >= seen.beforeReport.timeIntervalSince(seen.started) - slack)
            #expect(estimate <= seen.afterReport.timeIntervalSince(submitted) + slack)
            #expect(estimate >= 0.2 - slack)
            finish.signal()
            _ = try await harness.waitFor(id, [.succeeded])
        }
    }

    @Test func unknownTypeAndBadParametersAreRefusedBeforeStoring() async throws {
        let harness = Harness([DemoCSVJob.handler()])
        await #expect(throws: JobError.self) { try await harness.submit("no.such.type") }
        do {
            _ = try await harness.submit("demo.csv", ["rows": -1])
            Issue.record("rows -1 must be refused")
        } catch let error as JobError {
            #expect(error.code == .invalidParameters)
            #expect(error.field == "rows")
        }
        #expect(try await harness.store.jobs(JobQuery(tenantID: Self.tenant)).jobs.isEmpty)
    }

    @Test func aTypeWithAConcurrencyLimitRunsNoMoreAtOnceWhileOthersUseTheRest() async throws {
        // (running now, most at once) per type
        let counts = Mutex<[String: (now: Int, most: Int)]>([:])
        func tracked(_ type: String, limit: Int?) -> JobHandler {
            JobHandler(type: type, options: JobTypeOptions(concurrencyLimit: limit)) { _ in
                counts.withLock { counts in
                    var entry = counts[type] ?? (0, 0)
                    entry.now += 1
                    entry.most = max(entry.most, entry.now)
                    counts[type] = entry
                }
                try await Task.sleep(for: .milliseconds(150))
                counts.withLock { $0[type]!.now -= 1 }
                return .success
            }
        }
        let harness = Harness([tracked("limited", limit: 1), tracked("free", limit: nil)])
        try await withRunningServices([harness.pool(concurrency: 4, poll: .milliseconds(20))]) {
            var ids: [JobID] = []
            for _ in 0..<4 { ids.append(try await harness.submit("limited")) }
            for _ in 0..<3 { ids.append(try await harness.submit("free")) }
            for id in ids { _ = try await harness.waitFor(id, [.succeeded]) }
        }
        let most = counts.withLock { $0.mapValues(\.most) }
        #expect(most["limited"] == 1)
        // The limited type's waiting jobs did not hold the free type back.
        #expect((most["free"] ?? 0) >= 2)
    }

    @Test func aLimitedTypeClaimsOnlyThePlacesItsRunningJobsLeave() async throws {
        // The limit counts the type's jobs already running: with one of two places taken, a claim
        // may take one more job of the type, though the pool has room for many.
        let counts = Mutex((now: 0, most: 0))
        let release = Latch()
        let limited = JobHandler(type: "limited", options: JobTypeOptions(concurrencyLimit: 2)) { _ in
            counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            await release.wait()
            counts.withLock { $0.now -= 1 }
            return .success
        }
        let markerStarted = Latch()
        let marker = JobHandler(type: "marker") { _ in
            markerStarted.set()
            return .success
        }
        let harness = Harness([limited, marker])
        try await withRunningServices([harness.pool(concurrency: 8, poll: .milliseconds(20))]) {
            var ids = [try await harness.submit("limited")]
            try await eventually("the first job to start") { counts.withLock { $0.now } == 1 }
            for _ in 0..<4 { ids.append(try await harness.submit("limited")) }
            // Submitted last, so the claim that starts it ran after the four submissions, and that
            // claim took the limited type's jobs in the same call, before it returned.
            let markerID = try await harness.submit("marker")
            try await eventually("the marker job to start") { markerStarted.isSet }
            var running = 0
            for id in ids where try await harness.job(id).state == .running { running += 1 }
            #expect(running == 2)
            release.set()
            for id in ids + [markerID] { _ = try await harness.waitFor(id, [.succeeded]) }
        }
        #expect(counts.withLock { $0.most } == 2)
    }
}
