public import Hummingbird

/// Every AsyncJobs route, ready to hand to an `Application`: the ``router``, to which an application
/// may add routes of its own, and a shortcut for the status poll (``AsyncJobsResponder``).
///
/// ```swift
/// let routes = buildRoutes(configuration: configuration, components: components)
/// routes.router.get("regions") { _, _ in "north,south\n" }
/// let app = Application(router: routes)
/// ```
public struct AsyncJobsRoutes: HTTPResponderBuilder {
    /// The router with every AsyncJobs route, the status poll included.
    public let router: Router<AppRequestContext>
    /// The status route's middlewares and handler, the same instances the router holds.
    let statusPoll: MiddlewareChain<AppRequestContext>

    public func buildResponder() -> AsyncJobsResponder {
        AsyncJobsResponder(router: router.buildResponder(), statusPoll: statusPoll)
    }
}
