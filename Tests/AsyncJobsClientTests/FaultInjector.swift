import AsyncJobsServer
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Sits in front of the real router: records every request, and on demand misbehaves the way
/// networks and servers do, so the client's recovery can be tested against a live server.
final class FaultInjector: Sendable {
    /// What one request saw.
    struct Recorded: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var headers: HTTPFields
        var at: ContinuousClock.Instant
    }

    /// A way to misbehave.
    enum Fault: Sendable {
        /// Answer with this status (and an S3- or problem-style body) instead of asking the router.
        case status(HTTPResponse.Status)
        /// Let the router handle the request, then break the connection instead of answering.
        case dropConnectionAfterHandling
        /// Send the head and the first bytes of the body, then break the connection.
        case truncateBody(afterBytes: Int)
        /// Answer as the router does, with one header replaced.
        case replaceHeader(HTTPField.Name, String)
    }

    /// Which requests a fault applies to.
    enum Target: Sendable {
        case submit, status, result, token

        func matches(_ method: HTTPRequest.Method, _ path: String) -> Bool {
            switch self {
            case .submit: method == .post && path == "/v1/jobs"
            case .status: method == .get && path.hasPrefix("/v1/jobs/") && path.hasSuffix("/status")
            case .result: path.hasPrefix("/v1/results/")
            case .token: path == "/oauth2/token"
            }
        }
    }

    private struct Rule {
        var target: Target
        var fault: Fault
        var remaining: Int
        var skip: Int
    }

    private struct State {
        var responder: AsyncJobsResponder?
        var rules: [Rule] = []
        var recorded: [Recorded] = []
    }

    private let state = Mutex(State())

    /// The error that breaks a connection.
    struct ConnectionDropped: Error {}

    func install(_ responder: AsyncJobsResponder) {
        state.withLock { $0.responder = responder }
    }

    /// Applies `fault` to the next `times` requests to `target`, after letting `skip` of them through.
    func inject(_ fault: Fault, on target: Target, times: Int = 1, skip: Int = 0) {
        state.withLock { $0.rules.append(Rule(target: target, fault: fault, remaining: times, skip: skip)) }
    }

    /// The requests to `target` so far.
    func requests(to target: Target) -> [Recorded] {
        state.withLock { $0.recorded.filter { target.matches($0.method, $0.path) } }
    }

    func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        let path = request.uri.path
        let (responder, fault) = state.withLock { state -> (AsyncJobsResponder?, Fault?) in
            state.recorded.append(Recorded(method: request.method, path: path, headers: request.headers, at: .now))
            guard let index = state.rules.firstIndex(where: { $0.target.matches(request.method, path) && $0.remaining > 0 }) else {
                return (state.responder, nil)
            }
            if state.rules[index].skip > 0 {
                state.rules[index].skip -= 1
                return (state.responder, nil)
            }
            state.rules[index].remaining -= 1
            return (state.responder, state.rules[index].fault)
        }
        guard let responder else { return Response(status: .serviceUnavailable) }
        switch fault {
        case nil:
            return try await responder.respond(to: request, context: context)
        case .status(let status):
            return Self.errorResponse(status, path: path)
        case .dropConnectionAfterHandling:
            let response = try await responder.respond(to: request, context: context)
            _ = try await response.body.write(DiscardingWriter())
            return Response(status: response.status, headers: response.headers, body: ResponseBody { _ in throw ConnectionDropped() })
        case .truncateBody(let limit):
            var response = try await responder.respond(to: request, context: context)
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                try await body.write(TruncatingWriter(base: writer, remaining: limit))
            }
            return response
        case .replaceHeader(let name, let value):
            var response = try await responder.respond(to: request, context: context)
            response.headers[name] = value
            return response
        }
    }

    /// What a server says with such a status: S3 XML on the download route, a problem elsewhere.
    static func errorResponse(_ status: HTTPResponse.Status, path: String) -> Response {
        if path.hasPrefix("/v1/results/") {
            let code = status == .notFound ? "NoSuchKey" : status == .forbidden ? "AccessDenied" : "InternalError"
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>injected \(status.code)</Message></Error>"
            return Response(status: status, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        let problem = #"{"type":"urn:asyncjobs:problem:injected","title":"Injected","status":\#(status.code),"detail":"injected \#(status.code)"}"#
        return Response(status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(string: problem)))
    }
}

/// Passes the first `remaining` bytes on, then breaks the connection.
private struct TruncatingWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    var remaining: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes <= remaining else {
            if remaining > 0 { try await base.write(buffer.getSlice(at: buffer.readerIndex, length: remaining)!) }
            remaining = 0
            throw FaultInjector.ConnectionDropped()
        }
        remaining -= buffer.readableBytes
        try await base.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
    }
}

/// Swallows a body, so a handled request's response can be replaced by a broken one.
private struct DiscardingWriter: ResponseBodyWriter {
    mutating func write(_ buffer: ByteBuffer) async throws {}
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
