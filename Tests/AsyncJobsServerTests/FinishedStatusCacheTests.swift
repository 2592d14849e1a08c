import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The status route answers for finished jobs from memory: exactly on this node, and within the
/// cache's lifetime for changes made behind its back (another node sharing the store).
@Suite struct FinishedStatusCacheTests {
    @Test func aFinishedJobIsAnsweredFromMemoryWithAFreshSignatureEachSecond() async throws {
        try await withFinishedJob(cacheLifetime: .seconds(60)) { app, client, id, alice in
            let firstURL = try #require(try await status(client, id, alice)["resultUrl"] as? String)

            // Behind the cache's back, as another node would: the store no longer has the job.
            try await deleteBehindTheCache(app, id)

            let signedAt = try amzDate(firstURL)
            try await eventually("the next second") { try amzDate(try await status(client, id, alice)["resultUrl"] as? String ?? "") != signedAt }
            let later = try await status(client, id, alice)
            #expect(later["status"] as? String == "completed", "answered from memory: the store was not read")
            let laterURL = try #require(later["resultUrl"] as? String)
            #expect(laterURL != firstURL, "a new second is signed anew, so the link's lifetime starts at the poll")
            #expect(try amzDate(laterURL) > signedAt)
        }
    }

    @Test func aChangeBehindTheCachesBackShowsWithinItsLifetime() async throws {
        try await withFinishedJob(cacheLifetime: .milliseconds(300)) { app, client, id, alice in
            try await deleteBehindTheCache(app, id)
            try await eventually("the deletion to show") {
                try await client.send("/v1/jobs/\(id)/status", headers: alice).status == .notFound
            }
        }
    }

    @Test func withoutACacheEveryPollReadsTheStore() async throws {
        try await withFinishedJob(cacheLifetime: .zero) { app, client, id, alice in
            try await deleteBehindTheCache(app, id)
            #expect(try await client.send("/v1/jobs/\(id)/status", headers: alice).status == .notFound)
        }
    }

    @Test func aDeletionThroughThisNodeShowsAtOnce() async throws {
        try await withFinishedJob(cacheLifetime: .seconds(60)) { _, client, id, alice async throws in
            #expect(try await client.send("/v1/jobs/\(id)", .delete, headers: alice).status == .noContent)
            #expect(try await client.send("/v1/jobs/\(id)/status", headers: alice).status == .notFound)
        }
    }

    @Test func anotherTenantNeverSeesACachedJob() async throws {
        try await withFinishedJob(cacheLifetime: .seconds(60)) { app, client, id, _ in
            let stolen = try await client.send("/v1/jobs/\(id)/status", headers: try await app.tenant("mallory"))
            #expect(stolen.status == .notFound)
            #expect(!stolen.text.contains("resultUrl"))
        }
    }

    @Test func theMediaTypesAreKeptApart() async throws {
        try await withFinishedJob(cacheLifetime: .seconds(60)) { _, client, id, alice in
            let json = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "application/json"]))
            let vendor = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "application/vnd.sciquest.com.ees+json"]))
            #expect(json.headers[.contentType] == "application/json")
            #expect(vendor.headers[.contentType] == "application/vnd.sciquest.com.ees+json")
            #expect(try json.json()["jobId"] as? String == id)
            #expect(try vendor.json()["jobId"] == nil, "the vendor type carries only the seed's fields")
        }
    }

    /// Runs `body` on a server whose cache keeps finished jobs for `cacheLifetime`, once alice's demo
    /// job has completed and its status has been polled (so the cache holds it).
    private func withFinishedJob(
        cacheLifetime: Duration,
        _ body: @escaping @Sendable (TestApp, any TestClientProtocol, String, HTTPFields) async throws -> Void
    ) async throws {
        let app = try await TestApp(statusCacheLifetime: cacheLifetime)
        let alice = try await app.tenant("alice")
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice)
            _ = try await client.waitForStatus(id, "completed", headers: alice)
            try await body(app, client, id, alice)
        }
    }

    /// Deletes alice's job in the store directly, as another node sharing it would.
    private func deleteBehindTheCache(_ app: TestApp, _ id: String) async throws {
        let tenant = try #require(try await app.store.tenant(named: "alice"))
        guard case .deleted = try await app.store.delete(JobID(id), tenant: tenant.id) else {
            Issue.record("job \(id) was not deleted")
            return
        }
    }

    private func status(_ client: some TestClientProtocol, _ id: String, _ headers: HTTPFields) async throws -> [String: Any] {
        try await client.send("/v1/jobs/\(id)/status", headers: headers).json()
    }

    private func amzDate(_ url: String) throws -> String {
        let components = try #require(URLComponents(string: url))
        return try #require(components.queryItems?.first { $0.name == "X-Amz-Date" }?.value)
    }
}
