import AsyncJobs
import Foundation
public import Hummingbird
import Logging

/// Turns every error escaping a route into an `application/problem+json` response, so clients never
/// see an empty body or a stack trace.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try problem(for: error, context: context).response(from: request, context: context)
        }
    }

    func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as JobError:
            if Problem(error).status.kind == .serverError {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            return Problem(error)
        case let error as any HTTPResponseError:
            switch error.status {
            case .notFound:
                return Problem(.notFound, code: "not-found", title: "Not found", detail: "no route matches this path")
            case .contentTooLarge:
                return Problem(.contentTooLarge, code: "body-too-large", title: "Request body too large", detail: "request bodies are limited to \(context.maxUploadSize) bytes")
            case .methodNotAllowed:
                return Problem(.methodNotAllowed, code: "method-not-allowed", title: "Method not allowed", detail: "this path does not accept the method")
            default:
                return Problem(error.status, code: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.status.reasonPhrase)
            }
        default:
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return Problem(.internalServerError, code: "internal", title: "Internal error", detail: "the server could not complete the request")
        }
    }
}

/// Chooses the response media type from `Accept`, answering 406 when neither JSON type is acceptable.
public struct MediaTypeNegotiator: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Creates the middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let accept = request.headers[values: .accept].joined(separator: ",")
        guard let mediaType = APIMediaType.negotiate(accept: accept.isEmpty ? nil : accept) else {
            throw Problem.notAcceptable(accept)
        }
        var context = context
        context.mediaType = mediaType
        return try await next(request, context)
    }
}
