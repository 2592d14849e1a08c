@testable import AsyncJobs
import AsyncJobsTestSupport
import Foundation
import Testing

@Suite struct BatchSubmitTests {
    @Test func aBatchIsValidatedWholeBeforeAnythingIsStored() async throws {
        let harness = EngineHarness([DemoCSVJob.handler()])
        let good = JobRequest(type: "demo.csv", parameters: ["rows": 1])
        await #expect(throws: JobError.self) {
            _ = try await harness.queue.submit(tenant: EngineHarness.tenant, [good, JobRequest(type: "no.such.type")])
        }
        await #expect(throws: JobError.self) {
            _ = try await harness.queue.submit(tenant: EngineHarness.tenant, [good, JobRequest(type: "demo.csv", parameters: ["rows": "many"])])
        }
        #expect(try await harness.store.jobs(JobQuery(tenantID: EngineHarness.tenant)).jobs.isEmpty, "an invalid job refuses its whole batch")
    }

    @Test func aBatchWakesTheWorkersAndEveryJobRuns() async throws {
        let harness = EngineHarness([DemoCSVJob.handler()])
        let requests = (1...20).map { JobRequest(type: "demo.csv", parameters: ["rows": .number(Double($0))]) }
        #expect(!harness.queue.wakeup.isSet)
        let submissions = try await harness.queue.submit(tenant: EngineHarness.tenant, requests)
        #expect(harness.queue.wakeup.isSet, "the batch signals the workers")
        #expect(submissions.count == 20)
        #expect(submissions.allSatisfy { $0.created })
        try await withRunningServices([harness.pool(concurrency: 4, poll: .seconds(60))]) {
            for (rows, submission) in zip(1..., submissions) {
                let job = try await harness.waitFor(submission.job.id, [.succeeded])
                #expect(try harness.resultText(job) == DemoCSVJob.header + (0..<rows).map(DemoCSVJob.line).joined())
            }
        }
    }
}
