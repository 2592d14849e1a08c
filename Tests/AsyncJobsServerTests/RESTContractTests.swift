import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SigV4
import Testing

@Suite struct RESTContractTests {
    @Test func completedStatusCarriesAWorkingPresignedURL() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application().test(.router) { client in
            let submit = try await client.send("/v1/jobs", .post, headers: alice, json: #"{"type":"demo.csv","parameters":{"rows":30}}"#)
            #expect(submit.status == .accepted)
            let body = try submit.json()
            let id = try #require(body["jobId"] as? String)
            #expect(submit.headers[.location] == "http://localhost/v1/jobs/\(id)/status")
            #expect(body["statusUrl"] as? String == submit.headers[.location])
            #expect(submit.headers[.retryAfter] == "1")

            let status = try await client.waitForStatus(id, "completed", headers: alice)
            #expect(status["resultUrlExpiresInSeconds"] as? Int == 300)
            #expect(status["percentCompleted"] as? Double == 100)
            let resultURL = try #require((status["resultUrl"] as? String).flatMap(URL.init(string:)))
            #expect(resultURL.absoluteString.hasPrefix("http://localhost/v1/results/"))
            #expect(resultURL.query?.contains("X-Amz-Expires=300") == true)

            let download = try await client.send(resultURL.path + "?" + resultURL.query!)
            #expect(download.status == .ok)
            let expected = DemoCSVJob.header + (0..<30).map(DemoCSVJob.line).joined()
            #expect(download.text == expected)
            #expect(download.headers[.contentType] == "text/csv")
            #expect(download.headers[.contentLength] == String(expected.utf8.count))
            #expect(download.headers[.eTag] == "\"\(SigV4.sha256Hex(expected))\"")

            var range = HTTPFields()
            range[.range] = "bytes=0-12"
            let partial = try await client.send(resultURL.path + "?" + resultURL.query!, headers: range)
            #expect(partial.status == .partialContent)
            #expect(partial.text == "id,name,value")
            #expect(partial.headers[.contentRange] == "bytes 0-12/\(expected.utf8.count)")
        }
    }

    @Test func expiredTamperedAndDeletedLinksAreRefusedLikeS3() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice)
            _ = try await client.waitForStatus(id, "completed", headers: alice)
            let job = try #require(try await app.store.job(JobID(id), tenant: nil))
            let result = try #require(job.result)

            let expired = try app.results.downloadURL(for: result, expiresIn: 300, now: Date().addingTimeInterval(-301))
            let expiredResponse = try await client.send(expired.path + "?" + expired.query!)
            #expect(expiredResponse.status == .forbidden)
            #expect(expiredResponse.text.contains("<Code>AccessDenied</Code>"))
            #expect(expiredResponse.text.contains("<Message>Request has expired</Message>"))

            let valid = try app.results.downloadURL(for: result, expiresIn: 300, now: Date())
            var query = valid.query!
            let last = query.removeLast()
            query.append(last == "0" ? "1" : "0")
            let tampered = try await client.send(valid.path + "?" + query)
            #expect(tampered.status == .forbidden)
            #expect(tampered.text.contains("<Code>SignatureDoesNotMatch</Code>"))

            let delete = try await client.send("/v1/jobs/\(id)", .delete, headers: alice)
            #expect(delete.status == .noContent)
            let gone = try await client.send(valid.path + "?" + valid.query!)
            #expect(gone.status == .notFound)
            #expect(gone.text.contains("<Code>NoSuchKey</Code>"))
            #expect(try await client.send("/v1/jobs/\(id)/status", headers: alice).status == .notFound)
        }
    }

    @Test func vendorMediaTypeAnswersExactlyTheSeedFields() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice)
            _ = try await client.waitForStatus(id, "completed", headers: alice)
            // The seed's Java sample misspells the vendor type; both spellings work.
            for accept in ["application/vnd.sciquest.com.ees+json", "application/vnd.scicquest.com.ees+json"] {
                let response = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: accept]))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.sciquest.com.ees+json")
                #expect(Set(try response.json().keys) == ["status", "resultUrl", "resultUrlExpiresInSeconds"])
            }
            let json = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "application/json"]))
            #expect(json.headers[.contentType] == "application/json")
            #expect(Set(try json.json().keys) == ["status", "resultUrl", "resultUrlExpiresInSeconds", "jobId", "percentCompleted"])
            let html = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "text/html"]))
            #expect(html.status == .notAcceptable)
            #expect(html.headers[.contentType] == "application/problem+json")
            let any = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "text/html;q=0.9, */*;q=0.1"]))
            #expect(any.status == .ok)
        }
    }

    @Test func processingAndFailedStatuses() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            let id = try await client.submitDemo(alice)
            let processing = try await client.send("/v1/jobs/\(id)/status", headers: alice.merging([.accept: "application/vnd.sciquest.com.ees+json"]))
            #expect(try processing.json() as NSDictionary == ["status": "processing"] as NSDictionary)
            #expect(processing.headers[.retryAfter] == "1")
        }
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice, parameters: #"{"rows": 10, "failAtPercent": 30}"#)
            let failed = try await client.waitForStatus(id, "failed", headers: alice)
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["code"] as? String == "demo_failure")
            #expect(failed["resultUrl"] == nil)
        }
    }

    @Test func unknownJobIsNotFoundNeverPending() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            for id in ["00000000-0000-0000-0000-000000000000", "' OR 1=1 --", "..%2F..%2Fetc"] {
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))!
                let response = try await client.send("/v1/jobs/\(encoded)/status", headers: alice)
                #expect(response.status == .notFound, "\(id)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func listingPagesNewestFirstWithFilters() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            var ids: [String] = []
            for _ in 0..<5 { ids.append(try await client.submitDemo(alice)) }
            _ = try await client.send("/v1/jobs/\(ids[0])/cancel", .post, headers: alice)
            var seen: [String] = []
            var uri = "/v1/jobs?limit=2"
            for _ in 0..<5 {
                let page = try await client.send(uri, headers: alice).json()
                seen += (page["jobs"] as? [[String: Any]] ?? []).compactMap { $0["jobId"] as? String }
                guard let cursor = page["nextCursor"] as? String else { break }
                uri = "/v1/jobs?limit=2&cursor=\(cursor)"
            }
            #expect(seen == ids.reversed())
            let cancelled = try await client.send("/v1/jobs?status=cancelled", headers: alice).json()
            #expect((cancelled["jobs"] as? [[String: Any]])?.compactMap { $0["jobId"] as? String } == [ids[0]])
            let processing = try await client.send("/v1/jobs?status=processing&type=demo.csv", headers: alice).json()
            #expect((processing["jobs"] as? [[String: Any]])?.count == 4)
            for bad in ["/v1/jobs?limit=0", "/v1/jobs?limit=abc", "/v1/jobs?status=done", "/v1/jobs?cursor=xyz", "/v1/jobs?sort=asc", "/v1/jobs?limit=1&limit=2"] {
                #expect(try await client.send(bad, headers: alice).status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func cancelAndDeleteFollowTheStateMachine() async throws {
        let app = try await TestApp()
        let alice = try await app.tenant("alice")
        try await app.application(workers: false).test(.router) { client in
            let id = try await client.submitDemo(alice)
            #expect(try await client.send("/v1/jobs/\(id)", .delete, headers: alice).status == .conflict, "not finished yet")
            let cancel = try await client.send("/v1/jobs/\(id)/cancel", .post, headers: alice)
            #expect(cancel.status == .ok)
            #expect(try cancel.json()["status"] as? String == "cancelled")
            #expect(try await client.send("/v1/jobs/\(id)/cancel", .post, headers: alice).status == .ok, "idempotent")
            let status = try await client.send("/v1/jobs/\(id)/status", headers: alice).json()
            #expect(status["status"] as? String == "cancelled")
            #expect(try await client.send("/v1/jobs/\(id)", .delete, headers: alice).status == .noContent)
            #expect(try await client.send("/v1/jobs/\(id)", headers: alice).status == .notFound)
        }
        try await app.application().test(.router) { client in
            let id = try await client.submitDemo(alice)
            _ = try await client.waitForStatus(id, "completed", headers: alice)
            let refused = try await client.send("/v1/jobs/\(id)/cancel", .post, headers: alice)
            #expect(refused.status == .conflict)
            #expect(try refused.json()["jobStatus"] as? String == "completed")
        }
    }

    @Test func healthAndOpenAPI() async throws {
        let app = try await TestApp()
        try await app.application(workers: false).test(.router) { client in
            #expect(try await client.send("/healthz").status == .ok)
            let spec = try await client.send("/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(spec.text.contains("/v1/jobs/{id}/status:"))
        }
    }
}
