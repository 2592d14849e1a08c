import AsyncHTTPClient
import AsyncJobs
import AsyncJobsS3
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Retries, through a proxy in front of the test server that answers 503 the first time it sees
/// each request, as an overloaded S3 does.
@Suite(.enabled(if: S3TestBucket.isConfigured, S3TestBucket.skipReason))
struct S3RetryTests {
    final class FlakyProxy: Sendable {
        let upstream: String
        let seen = Mutex<Set<String>>([])
        let injected = Mutex(0)

        init(upstream: String) { self.upstream = upstream }

        func respond(_ request: Request) async throws -> Response {
            let line = "\(request.method) \(request.uri)"
            let first = seen.withLock { $0.insert(line).inserted }
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            if first {
                injected.withLock { $0 += 1 }
                return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "<Error><Code>SlowDown</Code></Error>")))
            }
            var forwarded = HTTPClientRequest(url: upstream + request.uri.description)
            forwarded.method = .init(rawValue: request.method.rawValue)
            for field in request.headers where ![HTTPField.Name("Host")!, .contentLength, .transferEncoding].contains(field.name) {
                forwarded.headers.add(name: field.name.rawName, value: field.value)
            }
            forwarded.body = .bytes(body)
            let response = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(60))
            var headers = HTTPFields()
            for header in response.headers where !["content-length", "transfer-encoding", "connection"].contains(header.name.lowercased()) {
                if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
            }
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody(byteBuffer: bytes))
        }
    }

    @Test func retriesServerErrorsOnEveryKindOfRequest() async throws {
        let upstream = try #require(S3TestBucket.endpoint)
        let proxy = FlakyProxy(upstream: upstream)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await proxy.respond(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let endpoint = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let store = try await S3TestBucket.store(endpoint: endpoint)
            let bytes = S3TestBucket.bytes(count: 2 * S3TestBucket.partSize + 10)
            let large = try await store.write(key: "t/flaky/1/big.bin", contentType: "application/octet-stream", fileName: "big.bin") { writer in
                try await writer.write(bytes)
            }
            let small = try await store.write(key: "t/flaky/1/small.txt", contentType: "text/plain", fileName: "small.txt") { writer in
                try await writer.write("small")
            }
            #expect(try await store.read(key: small.key, offset: 0, length: 100) == Array("small".utf8))
            try await store.delete(key: small.key)
            let direct = S3ResultStore(configuration: S3Configuration(
                bucket: store.configuration.bucket, keyPrefix: store.configuration.keyPrefix, endpoint: URL(string: upstream)!,
                pathStyle: true, credentials: store.configuration.credentials
            ))
            #expect(try await S3TestBucket.get(try direct.downloadURL(for: large, expiresIn: 60, now: Date())).body == bytes)
            // create bucket, create upload, 3 parts, complete, put, get, delete: each failed once.
            #expect(proxy.injected.withLock { $0 } >= 9)
        }
    }

    @Test func givesUpOnAnUnreachableEndpointWithAConnectionError() async throws {
        // A port nothing listens on: every attempt is refused.
        let socket = try #require(URL(string: "http://127.0.0.1:9"))
        var configuration = try S3TestBucket.configuration(endpoint: socket)
        // AsyncHTTPClient retries a refused connection until the deadline: keep it short here.
        configuration.requestTimeout = .seconds(1)
        let store = S3ResultStore(configuration: configuration)
        await #expect {
            _ = try await store.write(key: "t/j/1/x", contentType: "text/plain", fileName: "x") { try await $0.write("x") }
        } throws: { error in
            guard let error = error as? JobError, let underlying = error.underlying as? S3Error else { return false }
            return underlying.code == .connection
        }
    }
}
