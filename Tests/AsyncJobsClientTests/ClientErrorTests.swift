import AsyncJobsClient
import Foundation
import Testing

@Suite struct ClientErrorTests {
    @Test func aFailedJobThrowsJobFailedWithTheServersMessage() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 100, "failAtPercent": 50])
            let directory = try server.downloadDirectory()
            let error = try await #require(throws: AsyncJobsClientError.self) {
                try await client.waitForResult(job.statusURL, to: directory.appendingPathComponent("out.csv"))
            }
            #expect(error.code == .jobFailed)
            #expect(error.jobError?.code == "demo_failure")
            #expect(error.jobError?.message.contains("failAtPercent=50") == true)
            #expect(error.message.contains("failAtPercent=50"))
            #expect(try files(in: directory).isEmpty)
        }
    }

    @Test func aCancelledJobThrowsJobCancelledAndAFinishedOneCannotBeCancelled() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let long = try await client.submit(type: "demo.csv", parameters: ["rows": 100, "durationMs": 60000])
            #expect(try await client.cancel(long.statusURL).status == "cancelled")
            #expect(try await client.cancel(long.statusURL).status == "cancelled", "cancelling again succeeds")
            let error = try await #require(throws: AsyncJobsClientError.self) { try await client.waitForCompletion(long.statusURL) }
            #expect(error.code == .jobCancelled)
            #expect(error.lastStatus?.status == .cancelled)

            let short = try await client.submit(type: "demo.csv", parameters: ["rows": 10])
            _ = try await client.waitForCompletion(short.statusURL)
            let refused = try await #require(throws: AsyncJobsClientError.self) { try await client.cancel(short.statusURL) }
            #expect(refused.code == .httpError)
            #expect(refused.httpStatus == 409)
            #expect(refused.problem?.type == "urn:asyncjobs:problem:job-already-finished")
        }
    }

    @Test func refusedRequestsCarryTheServersProblemDetails() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let unknown = try await #require(throws: AsyncJobsClientError.self) { try await client.submit(type: "no.such.type") }
            #expect(unknown.code == .httpError)
            #expect(unknown.httpStatus == 422)
            #expect(unknown.problem?.type == "urn:asyncjobs:problem:unknown-job-type")
            #expect(unknown.problem?.status == 422)
            #expect(unknown.message.contains(try #require(unknown.problem?.detail)))

            let invalid = try await #require(throws: AsyncJobsClientError.self) {
                try await client.submit(type: "demo.csv", parameters: ["rows": -1])
            }
            #expect(invalid.problem?.type == "urn:asyncjobs:problem:invalid-parameters")
            #expect(invalid.problem?.extensions["field"] == "rows")

            let missing = try await #require(throws: AsyncJobsClientError.self) {
                try await client.status(client.statusURL(forJobID: "00000000-0000-0000-0000-000000000000"))
            }
            #expect(missing.httpStatus == 404)
            #expect(missing.problem?.type == "urn:asyncjobs:problem:job-not-found")
        }
    }

    @Test func anUnreachableServerIsATransportErrorAfterTheRetries() async throws {
        // A server that has stopped: nothing listens on its port any more.
        let (client, statusURL) = try await LiveServer.run { server in
            let client = AsyncJobsClient(
                configuration: .init(
                    serverURL: server.baseURL,
                    polling: PollingPolicy(minimumInterval: .milliseconds(10), maximumInterval: .milliseconds(20), maximumConsecutiveErrors: 2),
                    requestTimeout: .milliseconds(500)
                )
            )
            return (client, try client.statusURL(forJobID: "gone"))
        }
        let started = ContinuousClock.now
        let error = try await #require(throws: AsyncJobsClientError.self) { try await client.waitForCompletion(statusURL) }
        #expect(error.code == .transport)
        #expect(ContinuousClock.now - started < .seconds(5), "three attempts of at most 0.5 s")
        #expect(error.underlying != nil)
    }
}
