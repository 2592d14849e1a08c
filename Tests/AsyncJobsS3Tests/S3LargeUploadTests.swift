import AsyncJobs
import AsyncJobsS3
import Foundation
import Testing

/// A result of `ASYNCJOBS_TEST_S3_LARGE_MIB` MiB (1024 for the 1 GiB) streamed through the
/// store while this process's RSS is watched: memory must stay flat, whatever the size. Run by hand;
/// CI checks 200 MiB through the real server in scripts/s3-e2e.sh.
@Suite(.enabled(if: S3TestBucket.isConfigured && S3TestBucket.largeMebibytes != nil, "set ASYNCJOBS_TEST_S3_ENDPOINT and ASYNCJOBS_TEST_S3_LARGE_MIB to run"))
struct S3LargeUploadTests {
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test func aLargeResultUploadsWithFlatMemory() async throws {
        let size = try #require(S3TestBucket.largeMebibytes) * 1024 * 1024
        let store = try await S3TestBucket.store(partConcurrency: 4)
        let chunk = S3TestBucket.bytes(count: 1024 * 1024)
        let baseline = Self.residentKiB()
        var peak = baseline
        let started = ContinuousClock.now
        let result = try await store.write(key: "t/large/1/big.bin", contentType: "application/octet-stream", fileName: "big.bin") { writer in
            for index in 0..<(size / chunk.count) {
                try await writer.write(chunk)
                if index % 16 == 0 { peak = max(peak, Self.residentKiB()) }
            }
        }
        let elapsed = ContinuousClock.now - started
        print("S3 large upload: \(result.size) bytes in \(elapsed); RSS \(baseline) KiB before, peak \(peak) KiB")
        #expect(result.size == Int64(size))
        #expect(peak - baseline < 96 * 1024, "RSS grew by \(peak - baseline) KiB")
        #expect(try await store.client.incompleteUploads().isEmpty)
        try await store.delete(key: result.key)
    }
}
