import AsyncJobs
@testable import AsyncJobsServer
import HTTPTypes
import Testing

@Suite struct ProblemTests {
    @Test func extensionsCannotReplaceStandardMembers() {
        var problem = Problem(.conflict, code: "x", title: "t", detail: "d", extensions: ["status": "completed", "jobId": "42"])
        #expect(problem.extensions == ["jobId": "42"])
        problem.extensions["type"] = "forged"
        #expect(problem.extensions == ["jobId": "42"])
        #expect(problem.type == "urn:asyncjobs:problem:x")
    }

    @Test func engineErrorsMapToStableTypesAndStatuses() {
        let cases: [(JobError, HTTPResponse.Status, String)] = [
            (JobError(.idempotencyKeyReused, "m"), .conflict, "urn:asyncjobs:problem:idempotency-key-reused"),
            (JobError(.unknownJobType, "m"), .unprocessableContent, "urn:asyncjobs:problem:unknown-job-type"),
            (JobError(.invalidParameters, "m", field: "rows"), .unprocessableContent, "urn:asyncjobs:problem:invalid-parameters"),
            (JobError(.storage, "disk at /var/x failed"), .serviceUnavailable, "urn:asyncjobs:problem:store-unavailable"),
            (JobError(.resultStorage, "disk at /var/x failed"), .internalServerError, "urn:asyncjobs:problem:internal"),
        ]
        for (error, status, type) in cases {
            let problem = Problem(error)
            #expect(problem.status == status, "\(error.code)")
            #expect(problem.type == type, "\(error.code)")
        }
        #expect(Problem(JobError(.invalidParameters, "m", field: "rows")).extensions["field"] == "rows")
        #expect(!Problem(JobError(.storage, "disk at /var/x failed")).detail.contains("/var/x"), "internal details stay in the log")
        #expect(Problem(JobError(.storage, "m")).headers[.retryAfter] == "5", "an unavailable store says when to retry")
    }
}
