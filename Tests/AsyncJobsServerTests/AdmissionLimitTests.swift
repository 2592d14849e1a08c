import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The limits that keep one node, and one tenant, from being buried: requests handled at once, and
/// jobs a tenant may have waiting.
@Suite struct AdmissionLimitTests {
    @Test func requestsPastTheConcurrencyLimitGet503AtOnceAndThePlacesComeBack() async throws {
        let limiter = ConcurrencyLimiter<BasicRequestContext>(limit: 2)
        let release = Latch()
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: limiter)
        router.get("hold") { _, _ in
            await release.wait()
            return "released"
        }
        router.get("quick") { _, _ in "quick" }
        try await Application(router: router).test(.router) { client in
            try await withThrowingTaskGroup(of: String.self) { held in
                for _ in 0..<2 {
                    held.addTask { String(buffer: try await client.executeRequest(uri: "/hold", method: .get, headers: [:], body: nil).body) }
                }
                try await eventually("both held requests to be in flight") { limiter.current == 2 }

                let refused = try await client.executeRequest(uri: "/quick", method: .get, headers: [:], body: nil)
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "1")
                #expect(refused.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: refused.body).contains("urn:asyncjobs:problem:overloaded"))
                #expect(limiter.current == 2, "a refused request takes no place")

                release.set()
                var answers: [String] = []
                for try await answer in held { answers.append(answer) }
                #expect(answers == ["released", "released"])
            }
            #expect(limiter.current == 0, "finished requests give their places back")
            #expect(try await client.executeRequest(uri: "/quick", method: .get, headers: [:], body: nil).status == .ok)
        }
    }

    @Test func aFailingHandlerGivesItsPlaceBack() async throws {
        let limiter = ConcurrencyLimiter<BasicRequestContext>(limit: 1)
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: limiter)
        router.get("fail") { _, _ -> String in throw HTTPError(.badRequest) }
        try await Application(router: router).test(.router) { client in
            for _ in 0..<3 {
                let response = try await client.executeRequest(uri: "/fail", method: .get, headers: [:], body: nil)
                #expect(response.status == .badRequest)
            }
            #expect(limiter.current == 0)
        }
    }

    @Test func aTenantAtItsQueuedJobLimitGets429AndNothingIsStored() async throws {
        let app = try await TestApp(maxUnfinishedJobsPerTenant: 3)
        try await app.application(workers: false).test(.router) { client in
            let alice = try await app.tenant("alice")
            let bob = try await app.tenant("bob")
            var accepted: [String] = []
            for _ in 0..<3 { accepted.append(try await client.submitDemo(alice)) }

            let refused = try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type": "demo.csv", "parameters": {"rows": 1}}"#)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "5")
            let problem = try refused.json()
            #expect(problem["type"] as? String == "urn:asyncjobs:problem:too-many-queued-jobs")
            #expect(problem["limit"] as? String == "3")
            let aliceID = try #require(try await app.store.tenant(named: "alice")).id
            #expect(try await app.store.jobs(JobQuery(tenantID: aliceID)).jobs.count == 3, "the refused submission stored nothing")

            #expect(try await client.send("/v1/jobs", .post, headers: bob, json: #"{"type": "demo.csv", "parameters": {"rows": 1}}"#).status == .accepted, "other tenants are unaffected")

            #expect(try await client.send("/v1/jobs/\(accepted[0])/cancel", .post, headers: alice).status == .ok)
            #expect(try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type": "demo.csv", "parameters": {"rows": 1}}"#).status == .accepted, "a finished job frees a place")
        }
    }
}
