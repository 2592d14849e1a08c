import AsyncJobs
import AsyncJobsSQLite
@testable import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RateLimitTests {
    @Test func aTenantPastItsRateGets429WithRetryAfterAndOthersAreUnaffected() async throws {
        // One request every 20 s, bursts of three: the fourth request in a row is refused, however
        // slowly a busy machine runs the first three.
        let app = try await TestApp(rateLimit: (rate: 0.05, burst: 3))
        try await app.application(workers: false).test(.router) { client in
            let alice = try await app.tenant("alice")
            let bob = try await app.tenant("bob")
            for _ in 0..<3 {
                #expect(try await client.send("/v1/jobs", headers: alice).status == .ok)
            }
            let refused = try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type": "demo.csv", "parameters": {"rows": 1}}"#)
            #expect(refused.status == .tooManyRequests)
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...20).contains(retryAfter), "Retry-After says when a token is back: \(retryAfter)")
            #expect(refused.text.contains("urn:asyncjobs:problem:rate-limited"))
            let aliceID = try #require(try await app.store.tenant(named: "alice")).id
            #expect(try await app.store.jobs(JobQuery(tenantID: aliceID)).jobs.isEmpty, "a refused submission stores nothing")
            #expect(try await client.send("/v1/jobs", headers: bob).status == .ok, "each tenant has its own bucket")
        }
    }

    @Test func bucketsRefillAtTheRate() {
        let buckets = RateLimiter.Buckets(rate: 2, burst: 2)
        let tenant = TenantID("t")
        let start = ContinuousClock.now
        #expect(buckets.take(for: tenant, now: start) == nil)
        #expect(buckets.take(for: tenant, now: start) == nil)
        let wait = buckets.take(for: tenant, now: start)
        #expect(wait == .milliseconds(500), "one token comes back every half second")
        #expect(buckets.take(for: tenant, now: start + .milliseconds(499)) != nil)
        #expect(buckets.take(for: tenant, now: start + .milliseconds(500)) == nil)
        #expect(buckets.take(for: tenant, now: start + .seconds(60)) == nil, "a quiet spell refills up to the burst")
        #expect(buckets.take(for: tenant, now: start + .seconds(60)) == nil)
        #expect(buckets.take(for: tenant, now: start + .seconds(60)) != nil, "but not past it")
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
