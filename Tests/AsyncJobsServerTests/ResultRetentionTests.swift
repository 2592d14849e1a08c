import AsyncJobs
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Result retention with the local file store: the sweeper deletes the file and marks the job, the
/// status says so, and a link handed out before answers 404 like S3.
@Suite struct ResultRetentionTests {
    @Test func anExpiredResultIsDeletedAndTheStatusSaysSo() async throws {
        // A long cache lifetime: the status must show the expiry because this node made it, not
        // because the cached job happened to run out.
        let app = try await TestApp(statusCacheLifetime: .seconds(60))
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

/// A crash between creating a result's temporary file and publishing it leaves the file in `tmp/`;
/// the sweeper removes it once nobody has written to it for the abandoned-write age.
@Suite struct AbandonedResultWriteTests {
    @Test func temporaryFilesIdleLongerThanTheAgeAreRemovedAndYoungerOnesStay() async throws {
        let app = try await TestApp()
        let tmp = app.directory.path + "/results/tmp"
        let old = tmp + "/crashed-write"
        let young = tmp + "/running-write"
        #expect(FileManager.default.createFile(atPath: old, contents: Data(count: 100)))
        #expect(FileManager.default.createFile(atPath: young, contents: Data(count: 100)))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: old)

        let sweeper = RetentionSweeper(queue: app.queue, retention: nil, abandonedWriteAge: .seconds(3600))
        #expect(await sweeper.removeAbandonedWrites() == 1)
        #expect(!FileManager.default.fileExists(atPath: old), "idle for two hours: abandoned")
        #expect(FileManager.default.fileExists(atPath: young), "written to just now: another process may be writing it")
    }
}
