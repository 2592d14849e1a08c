public import Hummingbird

/// Answers every request through the router, except the status poll, which it sends straight to the
/// status route's middlewares and handler.
///
/// Pollers make most of a busy server's requests. The router resolves each path through its trie,
/// which splits the path into `Substring`s and walks them `Character` by `Character`; in a profile of
/// the status route under load that took more samples than the self time of all of our own modules
/// (BENCHMARKS.md, "status polls skip the router's path lookup"). The shortcut takes only
/// `GET /v1/jobs/{id}/status` with an id of the characters a job id can have, matched byte by byte.
/// Every other path, and any other spelling of this one (a trailing slash, an empty id, a
/// percent-encoded or non-ASCII id), goes to the router, which serves it exactly as before.
///
/// A literal route of the same shape (say `/v1/jobs/summary/status`) would be shadowed by the
/// shortcut: give such a route another shape.
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
            // What the router does with such an error. Our chain starts with ProblemMiddleware, which
            // turns every error into a response first; this is for a chain without it.
            return try error.response(from: request, context: context)
        }
    }

    /// The `{id}` of a path of the form `/v1/jobs/{id}/status` with an id made of the bytes a job id can
    /// have, or `nil` for any other path.
    package static func statusPollJobID(_ path: String) -> Substring? {
        let prefix = "/v1/jobs/".utf8
        let suffix = "/status".utf8
        let bytes = path.utf8
        guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix), bytes.reversed().starts(with: suffix.reversed()) else {
            return nil
        }
        let start = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        let end = bytes.index(bytes.endIndex, offsetBy: -suffix.count)
        // ASCII only, so that the byte offsets are character boundaries and the router, which splits
        // on characters, would have found the same id.
        guard bytes[start..<end].allSatisfy(JobsController.isIDByte) else { return nil }
        return path[start..<end]
    }
}
