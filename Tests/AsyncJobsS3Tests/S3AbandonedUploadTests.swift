import AsyncJobs
@testable import AsyncJobsS3
import AsyncJobsTestSupport
import Foundation
import NIOCore
import Testing

/// A node killed mid-upload cannot abort its multipart upload; the retention sweeper of any node
/// aborts it once it is older than any upload takes, and leaves younger ones alone.
@Suite(.enabled(if: S3TestBucket.isConfigured, S3TestBucket.skipReason))
struct S3AbandonedUploadTests {
    @Test func theSweeperAbortsUploadsLeftByACrashedNodeOnceOldEnough() async throws {
        let store = try await S3TestBucket.store()
        // What a node killed with kill -9 during an upload leaves: an upload with parts, never completed.
        let key = "t/crashed/1/out.bin"
        let uploadID = try await store.client.createMultipartUpload(key: key, contentType: "application/octet-stream")
        _ = try await store.client.uploadPart(key: key, uploadID: uploadID, number: 1, bytes: ByteBuffer(bytes: S3TestBucket.bytes(count: S3TestBucket.partSize)))

        let listed = try await store.client.incompleteUploads()
        #expect(listed.map(\.uploadID) == [uploadID])
        // moto reports one fixed instant in 2010 for every upload; AWS the real one. Either way the
        // sweep goes by what the bucket reports.
        let initiated = try #require(listed.first?.initiated, "the bucket reports when the upload started")

        let sweeper = RetentionSweeper(
            queue: JobQueue(store: MemoryJobStore(), results: store, registry: JobRegistry([])),
            retention: nil,
            abandonedWriteAge: .seconds(3600)
        )
        #expect(await sweeper.removeAbandonedWrites(now: initiated.addingTimeInterval(3599)) == 0)
        #expect(try await store.client.incompleteUploads().map(\.uploadID) == [uploadID], "an upload younger than the age may still be running")

        #expect(await sweeper.removeAbandonedWrites(now: initiated.addingTimeInterval(3601)) == 1)
        #expect(try await store.client.incompleteUploads().isEmpty, "an abandoned upload is aborted with its parts")
        #expect(try await store.removeAbandonedWrites(startedBefore: Date().addingTimeInterval(86_400)) == 0, "nothing is left to abort")
    }

    @Test func anUploadThisNodeIsRunningIsNeverAborted() async throws {
        let store = try await S3TestBucket.store()
        let twoPartsSent = Latch()
        let finish = Latch()
        let bytes = S3TestBucket.bytes(count: 3 * S3TestBucket.partSize)
        async let result = store.write(key: "t/running/1/out.bin", contentType: "application/octet-stream", fileName: "out.bin") { writer in
            try await writer.write(Array(bytes.prefix(2 * S3TestBucket.partSize + 1)))
            twoPartsSent.set()
            await finish.wait()
            try await writer.write(Array(bytes.dropFirst(2 * S3TestBucket.partSize + 1)))
        }
        await twoPartsSent.wait()
        try await eventually("the upload to be listed") { try await !store.client.incompleteUploads().isEmpty }
        #expect(try await store.removeAbandonedWrites(startedBefore: Date().addingTimeInterval(86_400)) == 0, "however old the bucket says it is")
        finish.set()
        let written = try await result
        #expect(written.size == Int64(bytes.count))
        #expect(try await store.read(key: "t/running/1/out.bin", offset: Int64(bytes.count) - 4, length: 4) == Array(bytes.suffix(4)))
    }

    @Test func uploadsOutsideTheKeyPrefixAreNotOurs() async throws {
        let store = try await S3TestBucket.store()
        var other = store.configuration
        other.keyPrefix = "someone-else"
        let neighbour = S3Client(configuration: other)
        let uploadID = try await neighbour.createMultipartUpload(key: "x/1/out.bin", contentType: "application/octet-stream")
        #expect(try await store.removeAbandonedWrites(startedBefore: Date().addingTimeInterval(86_400)) == 0)
        #expect(try await neighbour.incompleteUploads().map(\.uploadID) == [uploadID], "another prefix's upload is left alone")
        try await neighbour.abortMultipartUpload(key: "x/1/out.bin", uploadID: uploadID)
    }
}
