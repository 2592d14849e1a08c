public import Hummingbird

/// Answers every request through the router, except the status poll, which it sends straight to the
/// status route's middlewares and handler.
///
/// Pollers make most of a busy server's requests. The router resolves each path through its trie,
/// which splits the path into `Substring`s and walks them `Character` by `Character`: 5.8 % of the
/// server's CPU under `wrk -c256` on the status route (BENCHMARKS.md). Recognising
/// `GET /v1/jobs/{id}/status` by its bytes costs a fraction of that. Every other path, and any
/// spelling of this one the check does not take (a trailing slash, an empty id), goes to the router,
/// which serves it exactly as before. A literal route of the same shape (say `/v1/jobs/summary/status`)
/// would be shadowed by the shortcut: give such a route another shape.
public struct AsyncJobsResponder: HTTPResponder {
    let router: RouterResponder<AppRequestContext>
    let statusPoll: MiddlewareChain<AppRequestContext>

    /// The route's pattern, as the router would record it for the request.
    static let statusPollEndpoint = "/v1/jobs/{id}/status"

    public func respond(to request: Request, context: AppRequestContext) async throws -> Response {
        guard request.method == .get, let id = Self.statusPollJobID(request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        var context = context
        context.coreContext.parameters = ["id": id]
        context.coreContext.endpointPath.value = Self.statusPollEndpoint
        do {
            return try await statusPoll.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            // What the router does with such an error, so that the answer is the same either way.
            return try error.response(from: request, context: context)
        }
    }

    /// The `{id}` of a path of the form `/v1/jobs/{id}/status`, or `nil` for any other path.
    static func statusPollJobID(_ path: String) -> Substring? {
        let prefix = "/v1/jobs/".utf8
        let suffix = "/status".utf8
        let bytes = path.utf8
        guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix), bytes.reversed().starts(with: suffix.reversed()) else {
            return nil
        }
        let start = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        let end = bytes.index(bytes.endIndex, offsetBy: -suffix.count)
        guard !bytes[start..<end].contains(UInt8(ascii: "/")) else { return nil }
        return path[start..<end]
    }
}
