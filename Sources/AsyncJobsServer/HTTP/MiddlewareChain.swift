import Hummingbird

/// An endpoint wrapped in middlewares, the first of them outermost: what the router makes of a route
/// and the middlewares added before it, without the router.
struct MiddlewareChain<Context: RequestContext>: HTTPResponder {
    private let responder: any HTTPResponder<Context>

    init(_ middlewares: [any MiddlewareProtocol<Request, Response, Context>], endpoint: any HTTPResponder<Context>) {
        responder = middlewares.reversed().reduce(endpoint) { next, middleware in
            Link(middleware: middleware, next: next)
        }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        try await responder.respond(to: request, context: context)
    }

    private struct Link: HTTPResponder {
        let middleware: any MiddlewareProtocol<Request, Response, Context>
        let next: any HTTPResponder<Context>

        func respond(to request: Request, context: Context) async throws -> Response {
            try await middleware.handle(request, context: context) { request, context in
                try await next.respond(to: request, context: context)
            }
        }
    }
}
