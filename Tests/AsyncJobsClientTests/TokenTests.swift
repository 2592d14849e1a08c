import AsyncJobs
import AsyncJobsClient
import Foundation
import HTTPTypes
import Testing

@Suite struct TokenTests {
    @Test func fetchesATokenOnceAndRenewsItOnceOnA401() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 10])
            _ = try await client.status(job.statusURL)
            #expect(server.faults.requests(to: .token).count == 1, "one token serves many requests")

            // The server refuses the (still valid) token once, as after a key rotation: one renewal, one retry.
            server.faults.inject(.status(.unauthorized), on: .status)
            let status = try await client.status(job.statusURL)
            #expect(status.jobID == job.jobID)
            #expect(server.faults.requests(to: .token).count == 2)
            #expect(server.faults.requests(to: .status).count == 3)

            // Refused twice in a row: the client renews once only, then reports the server's problem.
            server.faults.inject(.status(.unauthorized), on: .status, times: 2)
            let error = try await #require(throws: AsyncJobsClientError.self) { try await client.status(job.statusURL) }
            #expect(error.code == .httpError)
            #expect(error.httpStatus == 401)
            #expect(error.problem?.type == "urn:asyncjobs:problem:injected")
            #expect(server.faults.requests(to: .token).count == 3)
            #expect(server.faults.requests(to: .status).count == 5)
        }
    }

    @Test func renewsTheTokenBeforeItExpires() async throws {
        // Tokens live 6 s; the client renews when a fifth of the lifetime is left (after 4.8 s), so
        // after 5.2 s its next request carries a new token, without first being refused. The margins
        // are wide so that a loaded machine cannot push the first requests past the renewal point.
        try await LiveServer.run(tokenLifetime: 6) { server in
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 10])
            _ = try await client.status(job.statusURL)
            #expect(server.faults.requests(to: .token).count == 1)
            try await Task.sleep(for: .milliseconds(5200))
            _ = try await client.status(job.statusURL)
            #expect(server.faults.requests(to: .token).count == 2)
            #expect(server.faults.requests(to: .status).count == 2, "no request was refused and retried")
        }
    }

    @Test func wrongCredentialsAreAProblemFromTheTokenEndpoint() async throws {
        try await LiveServer.run { server in
            let client = AsyncJobsClient(
                configuration: .init(serverURL: server.baseURL, credentials: .init(apiKey: server.credentials.apiKey, clientID: server.credentials.clientId, clientSecret: "cs_wrong"))
            )
            let error = try await #require(throws: AsyncJobsClientError.self) { try await client.submit(type: "demo.csv") }
            #expect(error.code == .httpError)
            #expect(error.httpStatus == 401)
            #expect(error.problem?.extensions["error"] == "invalid_client")
            #expect(!error.description.contains("cs_wrong"), "the secret never appears in an error")
        }
    }
}
