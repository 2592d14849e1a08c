import HTTPTypes
public import Hummingbird
import Synchronization

/// Bounds how many requests this node works on at once. Past `limit` a request gets
/// `503 overloaded` with `Retry-After` at once, instead of queueing behind the others until every
/// client times out.
///
/// A request counts while its handler runs; a download's body keeps streaming after that and is
/// bounded by the connections the server accepts instead.
public struct ConcurrencyLimiter<Context: RequestContext>: RouterMiddleware {
    /// The most requests handled at once.
    public let limit: Int
    private let inFlight: InFlight

    /// Creates a limiter.
    /// - Parameter limit: The most requests handled at once; at least 1.
    public init(limit: Int) {
        self.limit = max(1, limit)
        self.inFlight = InFlight()
    }

    /// Requests being handled right now.
    public var current: Int { inFlight.count.load(ordering: .relaxed) }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard inFlight.enter(limit: limit) else {
            throw Problem(
                .serviceUnavailable,
                code: "overloaded",
                title: "Server overloaded",
                detail: "this node is already handling \(limit) requests; retry after 1 s",
                headers: [.retryAfter: "1"]
            )
        }
        defer { inFlight.leave() }
        return try await next(request, context)
    }

    /// The count shared by every copy of the middleware.
    final class InFlight: Sendable {
        let count = Atomic<Int>(0)

        /// Takes a place if fewer than `limit` are taken.
        func enter(limit: Int) -> Bool {
            var current = count.load(ordering: .relaxed)
            while current < limit {
                let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
                if exchanged { return true }
                current = original
            }
            return false
        }

        func leave() {
            count.subtract(1, ordering: .releasing)
        }
    }
}
