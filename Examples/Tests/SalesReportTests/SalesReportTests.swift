import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SalesReport
import Testing

@Suite struct SalesReportTests {
    /// The embedded application over HTTP on a real socket: token, submit, 422, poll, download.
    @Test func submitsTheReportOverHTTPAndDownloadsTheCSV() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sales-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let sales = try DatabaseQueue(path: directory.appendingPathComponent("sales.sqlite").path)
        try await SalesDatabase.prepare(sales, rows: 4000)
        let expectedRows = try await sales.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sales WHERE region = 'north' AND amount_cents IS NOT NULL") ?? 0
        }
        let expectedSkipped = try await sales.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sales WHERE region = 'north' AND amount_cents IS NULL") ?? 0
        }
        #expect(expectedRows > 900 && expectedSkipped > 0)

        let store = try SQLiteJobStore(path: directory.appendingPathComponent("asyncjobs.sqlite").path)
        let configuration = ServerConfiguration(publicURL: URL(string: "http://localhost"))
        let components = try await ServerComponents.local(
            store: store,
            registry: JobRegistry([SalesReportJob(database: sales).handler]),
            resultsDirectory: directory.appendingPathComponent("results"),
            configuration: configuration
        )
        let tenant = try await store.createTenant(named: "sales")
        let routes = buildRoutes(configuration: configuration, components: components)
        routes.router.get("regions") { _, _ in "north,south,east,west\n" }
        var app = Application(router: routes, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        app.addServices(components.workerServices(pool: WorkerPoolConfiguration(concurrency: 2, pollInterval: .milliseconds(100)), retention: nil))

        try await app.test(.live) { client in
            #expect(try await client.execute(uri: "/regions", method: .get).body == ByteBuffer(string: "north,south,east,west\n"))

            let form = "grant_type=client_credentials&client_id=\(tenant.clientId)&client_secret=\(tenant.clientSecret)"
            let tokenResponse = try await client.execute(
                uri: "/oauth2/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form))
            let token = try #require(try Self.json(tokenResponse.body)["access_token"] as? String)
            let auth: HTTPFields = [HTTPField.Name("X-API-Key")!: tenant.apiKey, .authorization: "Bearer \(token)", .contentType: "application/json"]

            let types = try await client.execute(uri: "/v1/job-types", method: .get, headers: auth)
            #expect(String(buffer: types.body).contains("\"sales.report\""))

            let refused = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: auth, body: ByteBuffer(string: #"{"type":"sales.report","parameters":{"region":"mars"}}"#))
            #expect(refused.status == .unprocessableContent)
            #expect(try Self.json(refused.body)["field"] as? String == "region")

            let submitted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"type":"sales.report","parameters":{"region":"north","chunkSize":100}}"#))
            #expect(submitted.status == .accepted)
            let id = try #require(try Self.json(submitted.body)["jobId"] as? String)

            var status: [String: Any] = [:]
            for _ in 0..<200 {
                status = try Self.json(try await client.execute(uri: "/v1/jobs/\(id)/status", method: .get, headers: auth).body)
                if status["status"] as? String != "processing" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status["status"] as? String == "completed")
            let job = try Self.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: auth).body)
            #expect(job["itemErrors"] as? Int == expectedSkipped)

            let resultURL = try #require((status["resultUrl"] as? String).flatMap(URL.init(string:)))
            let download = try await client.execute(uri: resultURL.path + "?" + (resultURL.query ?? ""), method: .get)
            #expect(download.status == .ok)
            let lines = String(buffer: download.body).split(separator: "\n")
            #expect(lines.first == "id,sold_at,amount_cents")
            #expect(lines.count == expectedRows + 1)
        }
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] ?? [:]
    }
}
