import AsyncJobs
import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Result retention with the local file store: the sweeper deletes the file and marks the job, the
/// status says so, and a link handed out before answers 404 like S3.
@Suite struct ResultRetentionTests {
    @Test func anExpiredResultIsDeletedAndTheStatusSaysSo() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice)
            let status = try await client.waitForStatus(id, "completed", headers: alice)
            let resultURL = try #require((status["resultUrl"] as? String).flatMap(URL.init(string:)))
            #expect(try await client.send(resultURL.path + "?" + resultURL.query!).status == .ok)

            let sweeper = RetentionSweeper(queue: app.queue, retention: nil, resultRetention: .seconds(60))
            #expect(await sweeper.expireResults(finishedBefore: Date().addingTimeInterval(-60)) == 0, "a fresh result stays")
            #expect(await sweeper.sweep(now: Date().addingTimeInterval(61)) == 0, "no job is pruned without job retention")

            var json = alice
            json[.accept] = "application/json"
            let expired = try await client.send("/v1/jobs/\(id)/status", headers: json)
            let body = try expired.json()
            #expect(body["status"] as? String == "completed")
            #expect(body["resultUrl"] == nil)
            #expect(body["resultExpiredAt"] is String)
            let error = try #require(body["error"] as? [String: Any])
            #expect(error["code"] as? String == "result_expired")

            let job = try await client.send("/v1/jobs/\(id)", headers: alice).json()
            #expect((job["result"] as? [String: Any])?["expiredAt"] is String)

            let stale = try await client.send(resultURL.path + "?" + resultURL.query!)
            #expect(stale.status == .notFound, "the old link finds nothing")
            let key = String(resultURL.path.dropFirst("/v1/results/".count))
            #expect(!FileManager.default.fileExists(atPath: app.results.root.appendingPathComponent("objects/" + key).path))

            // The job itself goes with job retention, as before.
            let pruning = RetentionSweeper(queue: app.queue, retention: .seconds(60))
            #expect(await pruning.sweep(now: Date().addingTimeInterval(61)) == 1)
            #expect(try await client.send("/v1/jobs/\(id)/status", headers: alice).status == .notFound)
        }
    }
}
