import AsyncHTTPClient
import AsyncJobs
import AsyncJobsS3
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Virtual-hosted-style addressing (`http://BUCKET.HOST/KEY`, AWS's default) against the real server.
///
/// No resolver on this machine maps `BUCKET.localhost` to loopback, so the client tunnels through
/// `scripts/connect-proxy.py`, an HTTP CONNECT proxy that connects every tunnel to moto. Inside
/// the tunnel the requests are exactly what S3 receives, the bucket named only by the `Host`
/// header, and moto finds the bucket in the host name as S3 does.
@Suite(.enabled(if: S3TestBucket.isConfigured, S3TestBucket.skipReason))
struct S3VirtualHostedTests {
    @Test func uploadsReadsListsAndDeletesWithTheBucketInTheHostName() async throws {
        let moto = try #require(S3TestBucket.endpoint.flatMap(URL.init(string:)))
        let port = try #require(moto.port)
        let proxy = try ConnectProxy(upstreamPort: port)
        defer { proxy.stop() }
        var configuration = try S3TestBucket.configuration(endpoint: URL(string: "http://localhost:\(port)")!)
        configuration.pathStyle = false
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(proxy: .server(host: "127.0.0.1", port: proxy.port))
        )
        do {
            let store = S3ResultStore(configuration: configuration, httpClient: http)
            #expect(configuration.objectURL(key: "t/j/1/x.bin").host == configuration.bucket + ".localhost")
            try await store.client.createBucket()
            try await store.client.checkBucket()

            // One PUT, and a multipart upload of three parts.
            let small = S3TestBucket.bytes(count: 1000, seed: 7)
            let large = S3TestBucket.bytes(count: 2 * S3TestBucket.partSize + 99, seed: 8)
            for (name, bytes) in [("small.bin", small), ("large.bin", large)] {
                let key = "t/virtual/1/\(name)"
                let result = try await store.write(key: key, contentType: "application/octet-stream", fileName: name) { writer in
                    try await writer.write(bytes)
                }
                #expect(result.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
                #expect(try await store.read(key: key, offset: Int64(bytes.count) - 3, length: 3) == Array(bytes.suffix(3)))

                let url = try store.downloadURL(for: result, expiresIn: 300, now: Date())
                #expect(url.host == configuration.bucket + ".localhost")
                #expect(url.path == "/results/t/virtual/1/\(name)", "the key path carries no bucket")
                let response = try await http.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
                #expect(response.status.code == 200)
                #expect(Array(try await response.body.collect(upTo: 32 * 1024 * 1024).readableBytesView) == bytes)
            }
            #expect(try await store.client.incompleteUploads().isEmpty)

            // The objects really are in that bucket: path-style addressing, straight to moto, finds them.
            var pathStyle = configuration
            pathStyle.endpoint = moto
            pathStyle.pathStyle = true
            let direct = S3ResultStore(configuration: pathStyle)
            #expect(try await direct.read(key: "t/virtual/1/small.bin", offset: 0, length: 1000) == small)

            try await store.delete(key: "t/virtual/1/small.bin")
            await #expect(throws: JobError.self) { _ = try await direct.read(key: "t/virtual/1/small.bin", offset: 0, length: 1) }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}

/// `scripts/connect-proxy.py`, running for one test.
final class ConnectProxy {
    let process = Process()
    let input = Pipe()
    let port: Int

    init(upstreamPort: Int) throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/connect-proxy.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(upstreamPort)]
        process.standardOutput = output
        process.standardInput = input
        // Nothing of the test's own output may stay open in the proxy, or `swift test` waits for it.
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "connect-proxy.py did not print its port"])
        }
        self.port = port
    }

    /// Stops the proxy by closing its standard input (it exits when that closes).
    func stop() {
        try? input.fileHandleForWriting.close()
    }
}
