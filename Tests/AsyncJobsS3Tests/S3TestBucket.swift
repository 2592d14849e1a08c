import AsyncHTTPClient
import AsyncJobsS3
import Foundation
import NIOCore
import NIOHTTP1
import SigV4
import Testing

/// A fresh bucket per test on the S3-compatible server named by `ASYNCJOBS_TEST_S3_ENDPOINT`
/// (moto in CI, started by `.ci/run`); without it the S3 tests are skipped, and say so.
enum S3TestBucket {
    static let endpoint = ProcessInfo.processInfo.environment["ASYNCJOBS_TEST_S3_ENDPOINT"]
    static let isConfigured = endpoint != nil
    static let skipReason: Comment = "ASYNCJOBS_TEST_S3_ENDPOINT is not set: S3 tests skipped (see README, Testing)"
    /// The size of the by-hand large-upload test, from `ASYNCJOBS_TEST_S3_LARGE_MIB`.
    static let largeMebibytes = ProcessInfo.processInfo.environment["ASYNCJOBS_TEST_S3_LARGE_MIB"].flatMap(Int.init)

    /// The smallest part size S3 allows, so multipart tests stay small.
    static let partSize = S3Configuration.minimumPartSize

    /// A configuration for a new, uniquely named bucket on the test server.
    static func configuration(endpoint override: URL? = nil, prefix: String = "results", partConcurrency: Int = 2) throws -> S3Configuration {
        let url = try #require(override ?? endpoint.flatMap(URL.init(string:)))
        return S3Configuration(
            bucket: "test-" + UUID().uuidString.lowercased().prefix(18),
            keyPrefix: prefix,
            endpoint: url,
            region: "us-east-1",
            pathStyle: true,
            credentials: SigV4Credentials(accessKeyID: "AKIATESTASYNCJOBS", secretAccessKey: "test/secret+key"),
            partSize: partSize,
            partConcurrency: partConcurrency,
            maxAttempts: 3,
            requestTimeout: .seconds(20)
        )
    }

    /// A store on a new bucket.
    static func store(endpoint: URL? = nil, partConcurrency: Int = 2) async throws -> S3ResultStore {
        let store = S3ResultStore(configuration: try configuration(endpoint: endpoint, partConcurrency: partConcurrency))
        try await store.client.createBucket()
        return store
    }

    /// GETs a URL with no credentials, as curl would.
    static func get(_ url: URL) async throws -> (status: Int, headers: [String: String], body: [UInt8]) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return (Int(response.status.code), headers, Array(body.readableBytesView))
    }

    /// Deterministic bytes that differ from part to part, so a misplaced part shows.
    ///
    /// Filled eight bytes at a time: the tests share two cores with the rest of `swift test`, whose
    /// timing-based tests must not be starved by a debug-build byte loop.
    static func bytes(count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        words.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                buffer[index] = state
            }
        }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }
}
