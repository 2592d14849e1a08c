import AsyncJobs
import AsyncJobsClient
import Crypto
import Foundation
import HTTPTypes
import Synchronization
import Testing

@Suite struct DownloadTests {
    @Test func theResultStreamsToATemporaryFileThatIsCheckedAndRenamed() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let job = try await client.submit(type: "demo.csv", parameters: ["rows": 50_000])
            let directory = try server.downloadDirectory()
            let progress = ProgressLog()
            let result = try await client.waitForResult(job.statusURL, to: directory.appendingPathComponent("out.csv"), onDownload: progress.record)
            let expected = expectedCSV(rows: 50_000)
            #expect(try Data(contentsOf: result.file) == expected)
            #expect(result.size == Int64(expected.count))
            #expect(result.sha256 == SHA256.hash(data: expected).map { String(format: "%02x", $0) }.joined())
            #expect(result.checksumVerifiedBy == "ETag (SHA-256)")
            #expect(result.resumptions == 0 && result.linkRenewals == 0)
            #expect(try files(in: directory) == ["out.csv"], "no temporary file is left behind")
            #expect(progress.last?.receivedBytes == result.size && progress.last?.totalBytes == result.size)
            #expect(progress.count > 1, "progress is reported as the bytes arrive")
        }
    }

    @Test func aPipeOrDeviceIsNeverReplaced() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 10)
            let directory = try server.downloadDirectory()
            let pipe = directory.appendingPathComponent("pipe")
            #expect(mkfifo(pipe.path, 0o600) == 0)
            let error = try await #require(throws: AsyncJobsClientError.self) { try await client.download(status, to: pipe) }
            #expect(error.code == .fileSystem)
            #expect((try FileManager.default.attributesOfItem(atPath: pipe.path)[.type] as? FileAttributeType) != .typeRegular, "still the pipe")
            #expect(try files(in: directory) == ["pipe"])
        }
    }

    @Test func aChecksumMismatchLeavesNoFile() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 1000)
            server.faults.inject(.replaceHeader(.eTag, "\"\(String(repeating: "0", count: 64))\""), on: .result)
            let directory = try server.downloadDirectory()
            let error = try await #require(throws: AsyncJobsClientError.self) {
                try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            }
            #expect(error.code == .integrityCheckFailed)
            #expect(error.message.contains("SHA-256"))
            #expect(try files(in: directory).isEmpty, "neither the file nor a temporary one")
        }
    }

    @Test func aDroppedConnectionResumesWithRange() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 200_000)
            server.faults.inject(.truncateBody(afterBytes: 1_000_000), on: .result)
            let directory = try server.downloadDirectory()
            let result = try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            #expect(try Data(contentsOf: result.file) == expectedCSV(rows: 200_000))
            #expect(result.resumptions == 1)
            #expect(result.checksumVerifiedBy == "ETag (SHA-256)", "the checksum covers the bytes of both responses")
            let requests = server.faults.requests(to: .result)
            #expect(requests.count == 2)
            #expect(requests[0].headers[.range] == nil)
            let range = try #require(requests[1].headers[.range])
            let offset = try #require(Int(range.dropFirst("bytes=".count).dropLast()))
            #expect(range == "bytes=\(offset)-" && offset > 0 && offset <= 1_000_000, "resumes where the bytes stopped: \(range)")
        }
    }

    @Test func aLinkThatExpiredBeforeTheDownloadIsRenewedThroughTheStatusURL() async throws {
        // Links live 3 s: long enough that the renewed one cannot lapse on a loaded machine before it is used.
        try await LiveServer.run(resultURLTTL: 3) { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 1000)
            #expect(status.resultURLExpiresIn == .seconds(3))
            try await Task.sleep(for: .milliseconds(4100))  // the link's real expiry
            let polls = server.faults.requests(to: .status).count
            let directory = try server.downloadDirectory()
            let result = try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            #expect(try Data(contentsOf: result.file) == expectedCSV(rows: 1000))
            #expect(result.linkRenewals == 1)
            #expect(server.faults.requests(to: .status).count == polls + 1, "asked the status URL once")
            #expect(server.faults.requests(to: .result).count == 2)
            #expect(result.status?.resultURL != status.resultURL)
        }
    }

    @Test func aLinkThatStaysForbiddenIsRenewedOnlyOnce() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 100)
            let polls = server.faults.requests(to: .status).count
            server.faults.inject(.status(.forbidden), on: .result, times: 5)
            let directory = try server.downloadDirectory()
            let error = try await #require(throws: AsyncJobsClientError.self) {
                try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            }
            #expect(error.code == .linkExpired)
            #expect(error.message.contains("injected 403"), "the S3 message is kept: \(error.message)")
            #expect(server.faults.requests(to: .status).count == polls + 1)
            #expect(server.faults.requests(to: .result).count == 2)

            // Without a status URL there is nothing to renew with.
            var tampered = try #require(status.resultURL).absoluteString
            tampered.removeLast()
            let noRenewal = try await #require(throws: AsyncJobsClientError.self) {
                try await client.download(from: URL(string: tampered + "0")!, to: directory.appendingPathComponent("out.csv"))
            }
            #expect(noRenewal.code == .linkExpired)
            #expect(try files(in: directory).isEmpty)
        }
    }

    @Test func notYetAvailableIsRetriedAndGoneIsReported() async throws {
        try await LiveServer.run { server in
            let client = server.client()
            let status = try await server.completedDemoJob(client, rows: 100)
            let directory = try server.downloadDirectory()
            server.faults.inject(.status(.notFound), on: .result, times: 2)
            let result = try await client.download(status, to: directory.appendingPathComponent("out.csv"))
            #expect(try Data(contentsOf: result.file) == expectedCSV(rows: 100))
            #expect(server.faults.requests(to: .result).count == 3)

            // A deleted result stays 404: after the policy's retries, a typed error.
            _ = try await server.queue.delete(JobID(try #require(status.jobID)), tenant: try await server.tenantID())
            let error = try await #require(throws: AsyncJobsClientError.self) {
                try await client.download(status, to: directory.appendingPathComponent("gone.csv"))
            }
            #expect(error.code == .resultNotFound)
            #expect(server.faults.requests(to: .result).count == 3 + 4, "one request and three retries")
        }
    }
}

/// Collects download progress reports.
final class ProgressLog: Sendable {
    private let reports = Mutex<[DownloadProgress]>([])

    var record: @Sendable (DownloadProgress) -> Void { { progress in self.reports.withLock { $0.append(progress) } } }
    var last: DownloadProgress? { reports.withLock { $0.last } }
    var count: Int { reports.withLock { $0.count } }
}
