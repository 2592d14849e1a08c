import AsyncJobs
import AsyncJobsS3
import AsyncJobsTestSupport
import Crypto
import Foundation
import Testing

/// The S3 result store against a real S3-compatible server (moto in CI).
@Suite(.enabled(if: S3TestBucket.isConfigured, S3TestBucket.skipReason))
struct S3ResultStoreTests {
    static let part = S3TestBucket.partSize

    /// Sizes around the multipart threshold: empty, one byte, just under, at and over one part, and
    /// several parts with a short tail.
    @Test(arguments: [0, 1, part - 1, part, part + 1, 3 * part + 12_345])
    func uploadsAndDownloadsEverySize(size: Int) async throws {
        let store = try await S3TestBucket.store()
        let bytes = S3TestBucket.bytes(count: size, seed: UInt64(size))
        let key = ResultKey.make(tenantID: TenantID("tenant"), jobID: JobID.generate(), attempt: 1, fileName: "out.bin")
        let result = try await store.write(key: key, contentType: "application/octet-stream", fileName: "out.bin") { writer in
            // Uneven chunks, so parts are cut across writes.
            var offset = 0
            var chunk = 1
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                try await writer.write(Array(bytes[offset..<end]))
                offset = end
                chunk = chunk * 3 + 7
            }
        }
        #expect(result.size == Int64(size))
        #expect(result.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())

        let url = try store.downloadURL(for: result, expiresIn: 300, now: Date())
        let download = try await S3TestBucket.get(url)
        #expect(download.status == 200)
        #expect(download.body == bytes)
        #expect(download.headers["content-type"] == "application/octet-stream")
        // moto ignores response-content-disposition; AWS honours it, and the URL is boto3's (Boto3DownloadURLTests).
        #expect(url.query?.contains("response-content-disposition=attachment%3B%20filename%3D%22out.bin%22") == true)
        #expect(try await store.client.incompleteUploads().isEmpty)

        let head = try await store.read(key: key, offset: 0, length: 10)
        #expect(head == Array(bytes.prefix(10)))
        if size > 20 {
            #expect(try await store.read(key: key, offset: Int64(size - 5), length: 100) == Array(bytes.suffix(5)))
        }
    }

    @Test func aFailingHandlerLeavesNoObjectAndNoIncompleteUpload() async throws {
        struct HandlerFailed: Error {}
        let store = try await S3TestBucket.store()
        let key = "t/failing/1/out.bin"
        await #expect(throws: HandlerFailed.self) {
            _ = try await store.write(key: key, contentType: "application/octet-stream", fileName: "out.bin") { writer in
                try await writer.write(S3TestBucket.bytes(count: 3 * Self.part))
                throw HandlerFailed()
            }
        }
        #expect(try await store.client.incompleteUploads().isEmpty)
        await #expect(throws: JobError.self) { _ = try await store.read(key: key, offset: 0, length: 1) }
    }

    @Test func cancellingDuringAMultipartUploadAbortsIt() async throws {
        let store = try await S3TestBucket.store()
        let key = "t/cancelled/1/out.bin"
        let started = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                _ = try await store.write(key: key, contentType: "application/octet-stream", fileName: "out.bin") { writer in
                    var written = 0
                    // Writes until cancelled; a well-behaved handler checks for cancellation.
                    while true {
                        try Task.checkCancellation()
                        try await writer.write(S3TestBucket.bytes(count: 1024 * 1024, seed: UInt64(written)))
                        written += 1
                        if written == 2 * Self.part / (1024 * 1024) + 1 { started.continuation.yield() }
                    }
                }
            }
            var iterator = started.stream.makeAsyncIterator()
            await iterator.next()
            // Cancel once the multipart upload exists in the bucket, so there is something to abort.
            try await eventually("the multipart upload to start") { try await !store.client.incompleteUploads().isEmpty }
            group.cancelAll()
            while let outcome = await group.nextResult() {
                if case .success = outcome { Issue.record("a cancelled upload completed") }
            }
        }
        #expect(try await store.client.incompleteUploads().isEmpty)
        await #expect(throws: JobError.self) { _ = try await store.read(key: key, offset: 0, length: 1) }
    }

    @Test func deletingRemovesTheObjectSoTheLinkStopsWorking() async throws {
        let store = try await S3TestBucket.store()
        let key = "t/deleted/1/out.csv"
        let result = try await store.write(key: key, contentType: "text/csv", fileName: "out.csv") { writer in
            try await writer.write("a,b\n1,2\n")
        }
        let url = try store.downloadURL(for: result, expiresIn: 300, now: Date())
        #expect(try await S3TestBucket.get(url).status == 200)
        try await store.delete(key: key)
        try await store.delete(key: key)  // deleting twice is not an error
        // S3 answers 404 (or 403 without ListBucket); moto answers 403 to a pre-signed GET of a missing key.
        #expect([403, 404].contains(try await S3TestBucket.get(url).status))
    }

    @Test func aBadBucketFailsAsAResultStorageError() async throws {
        let store = S3ResultStore(configuration: try S3TestBucket.configuration())  // bucket never created
        await #expect {
            _ = try await store.write(key: "t/j/1/x", contentType: "text/plain", fileName: "x") { try await $0.write("x") }
        } throws: { error in
            (error as? JobError)?.code == .resultStorage && "\(error)".contains("NoSuchBucket")
        }
    }

    @Test func boundedPartConcurrencyStillUploadsManyParts() async throws {
        let store = try await S3TestBucket.store(partConcurrency: 1)
        let bytes = S3TestBucket.bytes(count: 4 * Self.part + 1)
        let result = try await store.write(key: "t/serial/1/out.bin", contentType: "application/octet-stream", fileName: "out.bin") { writer in
            try await writer.write(bytes)
        }
        #expect(try await S3TestBucket.get(try store.downloadURL(for: result, expiresIn: 60, now: Date())).body == bytes)
    }
}
