public import AsyncHTTPClient
import AsyncJobs
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import SigV4

/// The few S3 operations the result store needs, signed with SigV4 headers and retried on 5xx and
/// connection errors.
///
/// Requests run on AsyncHTTPClient's event loops and are awaited as futures, so a request in flight
/// finishes even when the awaiting task is cancelled: that is what lets an upload abort its
/// multipart upload after a job was cancelled.
public struct S3Client: Sendable {
    /// The bucket and how to reach it.
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let http: HTTPClient
    let logger: Logger

    /// A response whose status was accepted.
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: The bucket and how to reach it.
    ///   - httpClient: The HTTP client to send requests with; by default the process-wide shared one.
    ///   - logger: Where retries are logged (never with credentials).
    public init(configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "asyncjobs.s3")) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.http = httpClient
        self.logger = logger
    }

    /// Sends one signed request, retrying 5xx, 429 and connection errors with exponential back-off.
    /// Statuses in `accept` return; any other throws ``S3Error`` with S3's error code in its message.
    func send(
        _ method: HTTPMethod,
        key: String?,
        query: String? = nil,
        headers extra: [(String, String)] = [],
        body: ByteBuffer? = nil,
        accept: Set<Int> = [200, 204, 206]
    ) async throws -> Response {
        let url = key.map { configuration.bucketURL(path: "/" + SigV4.encodeKeyPath(configuration.objectKey($0)), query: query) }
            ?? configuration.bucketURL(path: "", query: query)
        let payloadHash = body.map { $0.withUnsafeReadableBytes { SigV4.sha256Hex($0) } } ?? SigV4.emptyPayloadSHA256
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<HTTPClient.Response, any Error>
            do {
                var headers = HTTPHeaders(extra)
                let signed = try signer.signHeaders(method: method.rawValue, url: url, headers: extra, payloadHash: payloadHash, date: Date())
                for (name, value) in signed { headers.replaceOrAdd(name: name, value: value) }
                let request = try HTTPClient.Request(
                    url: url.absoluteString,
                    method: method,
                    headers: headers,
                    body: body.map { .byteBuffer($0) }
                )
                let deadline = NIODeadline.now() + .nanoseconds(configuration.requestTimeout.nanoseconds)
                outcome = .success(try await http.execute(request: request, deadline: deadline).get())
            } catch let error as SigV4Error {
                throw S3Error(.invalidConfiguration, "cannot sign \(method) \(url.path): \(error)")
            } catch {
                outcome = .failure(error)
            }
            let retryable: Bool
            let failure: S3Error
            switch outcome {
            case .success(let response):
                let status = Int(response.status.code)
                let bytes = response.body.map { Array($0.readableBytesView) } ?? []
                if accept.contains(status) {
                    return Response(status: status, headers: response.headers, body: bytes)
                }
                let code = S3XML.value(of: "Code", in: bytes) ?? "\(response.status)"
                let message = S3XML.value(of: "Message", in: bytes).map { ": \($0)" } ?? ""
                failure = S3Error(.requestFailed, "\(method) \(url.path): \(code)\(message)", status: status)
                retryable = status >= 500 || status == 429
            case .failure(let error):
                failure = S3Error(.connection, "\(method) \(url.path): \(error)")
                retryable = true
            }
            guard retryable, attempt < configuration.maxAttempts, !Task.isCancelled else { throw failure }
            let delay = Duration.milliseconds(100 * (1 << min(attempt - 1, 6)) + Int.random(in: 0..<50))
            logger.warning("retrying an S3 request", metadata: ["attempt": "\(attempt)", "error": "\(failure)"])
            try? await Task.sleep(for: delay)
        }
    }

    /// Uploads `bytes` in one `PUT`.
    func putObject(key: String, contentType: String, bytes: ByteBuffer) async throws {
        _ = try await send(.PUT, key: key, headers: [("Content-Type", contentType)], body: bytes)
    }

    /// Deletes an object; a missing object is not an error.
    func deleteObject(key: String) async throws {
        _ = try await send(.DELETE, key: key, accept: [200, 204, 404])
    }

    /// Up to `length` bytes from `offset` of an object.
    func getRange(key: String, offset: Int64, length: Int) async throws -> [UInt8] {
        guard length > 0 else { return [] }
        let response = try await send(.GET, key: key, headers: [("Range", "bytes=\(offset)-\(offset + Int64(length) - 1)")], accept: [200, 206, 416])
        if response.status == 416 { return [] }
        return response.status == 200 ? Array(response.body.dropFirst(Int(offset)).prefix(length)) : Array(response.body.prefix(length))
    }
}

/// Percent-encoding for query values, the same set SigV4 leaves alone.
func queryEncoded(_ value: String) -> String {
    SigV4.encodeKeyPath(value).replacingOccurrences(of: "/", with: "%2F")
}
