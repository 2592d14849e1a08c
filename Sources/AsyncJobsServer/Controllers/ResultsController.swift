import AsyncJobs
import Foundation
public import Hummingbird
import NIOCore
import SigV4

/// `GET /v1/results/<key>`: the pre-signed download of a local result.
///
/// The URL's AWS SigV4 query signature is the only credential. Answers as S3 does: 200 with the
/// bytes (or 206 for a `Range`), 403 with an XML `AccessDenied` once expired or
/// `SignatureDoesNotMatch` when tampered with, 404 `NoSuchKey` once the result is deleted.
public struct ResultsController: Sendable {
    let store: FileResultStore
    let verifier: PresignedURLVerifier

    static let prefix = "/v1/results/"

    /// Creates the controller.
    public init(store: FileResultStore) {
        self.store = store
        self.verifier = PresignedURLVerifier(signer: store.signer)
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/v1/results/**", use: download)
        router.head("/v1/results/**", use: download)
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let path = request.uri.path
        let now = Date()
        do {
            _ = try verifier.verify(
                method: "GET",
                path: path,
                query: request.uri.query ?? "",
                host: request.head.authority ?? "",
                now: now
            )
        } catch {
            return s3Error(S3ErrorXML(error, requestID: context.id).render(), status: .init(code: error.httpStatus))
        }
        let encodedKey = String(path.dropFirst(Self.prefix.count))
        guard path.hasPrefix(Self.prefix), let key = encodedKey.removingPercentEncoding, let metadata = store.metadata(forKey: key) else {
            return noSuchKey(path: path, requestID: context.id)
        }
        var headers: HTTPFields = [
            .contentType: metadata.contentType,
            .eTag: "\"\(metadata.sha256)\"",
            .acceptRanges: "bytes",
            .cacheControl: "private, no-store",
            .contentDisposition: "attachment; filename=\"\(metadata.fileName)\"",
        ]
        let size = Int(metadata.size)
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let rangeHeader = request.headers[.range] {
            switch ByteRange.parse(rangeHeader, size: size) {
            case .none:
                break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .satisfiable(let requested):
                range = requested
                status = .partialContent
                headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound - 1)/\(size)"
            }
        }
        headers[.contentLength] = String(range.count)
        if request.method == .head || range.isEmpty {
            return Response(status: status, headers: headers)
        }
        let body = ResponseBody.fileRange(path: store.objectURL(key).path, range: range)
        return Response(status: status, headers: headers, body: body)
    }

    private func s3Error(_ xml: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/xml", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: xml))
        )
    }

    private func noSuchKey(path: String, requestID: String) -> Response {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
            <Key>\(S3ErrorXML.escape(path))</Key><RequestId>\(S3ErrorXML.escape(requestID))</RequestId></Error>
            """
        return s3Error(xml, status: .notFound)
    }
}

/// A single byte range from a `Range` header (RFC 9110 §14).
enum ByteRange: Equatable {
    /// Not a range we serve (several ranges, another unit, malformed): answer with the whole body.
    case none
    /// A range that starts beyond the end: 416.
    case unsatisfiable
    /// The half-open range of bytes to send.
    case satisfiable(Range<Int>)

    static func parse(_ header: String, size: Int) -> ByteRange {
        let value = header.trimmingSpacesAndTabs()
        guard value.lowercased().hasPrefix("bytes="), !value.contains(",") else { return .none }
        let spec = value.dropFirst(6).trimmingSpacesAndTabs()
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return .none }
        let first = bounds[0].trimmingSpacesAndTabs()
        let last = bounds[1].trimmingSpacesAndTabs()
        if first.isEmpty {
            // "bytes=-N": the last N bytes; a zero-length suffix can never be satisfied.
            guard let suffix = Int(last), suffix >= 0 else { return .none }
            return suffix == 0 || size == 0 ? .unsatisfiable : .satisfiable(max(0, size - suffix)..<size)
        }
        guard let start = Int(first), start >= 0 else { return .none }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .satisfiable(start..<size) }
        guard let end = Int(last), end >= start else { return .none }
        return .satisfiable(start..<min(end + 1, size))
    }
}
