import AsyncJobs
public import Foundation
public import Hummingbird
import NIOCore

/// An RFC 9457 problem: the body of every API error, as `application/problem+json`.
public struct Problem: Error, Sendable, ResponseGenerator {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable identifier of the kind of problem, `urn:asyncjobs:problem:<code>`.
    public var type: String
    /// A short summary, the same for every occurrence of the type.
    public var title: String
    /// What happened this time.
    public var detail: String
    /// Extension members, e.g. `jobId`, `field`, or OAuth's `error`. Names of the standard members
    /// (`type`, `title`, `status`, `detail`, `instance`) are not allowed and are dropped, so an
    /// extension can never replace the integer `status` or any other member clients rely on.
    public var extensions: [String: String] {
        didSet { extensions = extensions.filter { !Self.standardMembers.contains($0.key) } }
    }

    static let standardMembers: Set<String> = ["type", "title", "status", "detail", "instance"]
    /// Extra response headers, e.g. `WWW-Authenticate`.
    public var headers: HTTPFields

    /// Creates a problem.
    public init(
        _ status: HTTPResponse.Status,
        code: String,
        title: String,
        detail: String,
        extensions: [String: String] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = "urn:asyncjobs:problem:\(code)"
        self.title = title
        self.detail = detail
        self.extensions = extensions.filter { !Self.standardMembers.contains($0.key) }
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(problem: self, instance: request.uri.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }

    /// The JSON document: the standard members plus the extensions at the top level.
    private struct Body: Encodable {
        let problem: Problem
        let instance: String

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (name, value) in problem.extensions { try container.encode(value, forKey: Key(name)) }
            try container.encode(problem.type, forKey: Key("type"))
            try container.encode(problem.title, forKey: Key("title"))
            try container.encode(Int(problem.status.code), forKey: Key("status"))
            try container.encode(problem.detail, forKey: Key("detail"))
            try container.encode(instance, forKey: Key("instance"))
        }
    }
}

extension Problem {
    static func badRequest(_ detail: String, code: String = "bad-request", field: String? = nil) -> Problem {
        Problem(.badRequest, code: code, title: "The request is malformed", detail: detail, extensions: field.map { ["field": $0] } ?? [:])
    }

    static func unauthorized(_ detail: String, challenge: String = #"Bearer realm="asyncjobs""#) -> Problem {
        Problem(.unauthorized, code: "unauthorized", title: "Authentication is required", detail: detail, headers: [.wwwAuthenticate: challenge])
    }

    static func jobNotFound(_ id: String) -> Problem {
        Problem(.notFound, code: "job-not-found", title: "No such job", detail: "no job '\(id)' exists for this tenant", extensions: ["jobId": id])
    }

    static func notAcceptable(_ accept: String) -> Problem {
        Problem(
            .notAcceptable,
            code: "not-acceptable",
            title: "No acceptable media type",
            detail: "Accept '\(accept)' allows neither application/json nor application/vnd.sciquest.com.ees+json"
        )
    }

    /// The problem for an engine error.
    init(_ error: JobError) {
        var extensions: [String: String] = [:]
        if let jobID = error.jobID { extensions["jobId"] = jobID.rawValue }
        if let field = error.field { extensions["field"] = field }
        switch error.code {
        case .jobNotFound:
            self = .jobNotFound(error.jobID?.rawValue ?? "")
        case .idempotencyKeyReused:
            self.init(.conflict, code: "idempotency-key-reused", title: "Idempotency key already used", detail: error.message, extensions: extensions)
        case .unknownJobType:
            self.init(.unprocessableContent, code: "unknown-job-type", title: "Unknown job type", detail: error.message, extensions: extensions)
        case .invalidParameters:
            self.init(.unprocessableContent, code: "invalid-parameters", title: "Invalid parameters", detail: error.message, extensions: extensions)
        case .storage:
            // The store is unreachable or failing (a database restart, a full disk): worth retrying.
            self.init(
                .serviceUnavailable,
                code: "store-unavailable",
                title: "The job store is unavailable",
                detail: "the job store did not answer; try again shortly",
                headers: [.retryAfter: "5"]
            )
        default:
            self.init(.internalServerError, code: "internal", title: "Internal error", detail: "the server could not complete the request")
        }
    }
}
