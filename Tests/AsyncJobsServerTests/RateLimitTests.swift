import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RateLimitTests {
    @Test func aTenantPastItsRateGets429WithRetryAfterAndOthersAreUnaffected() async throws {
        // One request a second, bursts of three: the fourth request in a row is refused.
        let app = try await TestApp(rateLimit: (rate: 1, burst: 3))
        try await app.application(workers: false).test(.router) { client in
            let alice = try await app.tenant("alice")
            let bob = try await app.tenant("bob")
            for _ in 0..<3 {
                #expect(try await client.send("/v1/jobs", headers: alice).status == .ok)
            }
            let refused = try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type": "demo.csv", "parameters": {"rows": 1}}"#)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.text.contains("urn:asyncjobs:problem:rate-limited"))
            let aliceID = try #require(try await app.store.tenant(named: "alice")).id
            #expect(try await app.store.jobs(JobQuery(tenantID: aliceID)).jobs.isEmpty, "a refused submission stores nothing")
            #expect(try await client.send("/v1/jobs", headers: bob).status == .ok, "each tenant has its own bucket")
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.send("/v1/jobs", headers: alice).status == .ok, "the bucket refills at the rate")
        }
    }

    @Test func limitsApplyOnlyWhenConfigured() async throws {
        let app = try await TestApp()
        try await app.application(workers: false).test(.router) { client in
            let alice = try await app.tenant("alice")
            for _ in 0..<50 {
                #expect(try await client.send("/v1/jobs", headers: alice).status == .ok)
            }
        }
    }
}
