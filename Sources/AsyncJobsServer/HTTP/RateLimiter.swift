public import AsyncJobs
import Foundation
import HTTPTypes
public import Hummingbird
import Synchronization

/// Per-tenant token buckets: each tenant may make `rate` API requests a second on average, with bursts
/// up to `burst`. Past that the request gets `429 rate-limited` with `Retry-After` and does nothing.
///
/// The buckets live in this node's memory, so with several nodes the limit applies per node.
public struct RateLimiter: RouterMiddleware {
    public typealias Context = AppRequestContext

    private let buckets: Buckets

    /// Creates a limiter.
    /// - Parameters:
    ///   - rate: Requests per second a tenant may sustain.
    ///   - burst: Requests a tenant may make at once after a quiet spell.
    public init(rate: Double, burst: Int) {
        buckets = Buckets(rate: max(0.001, rate), burst: Double(max(1, burst)))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let tenant = context.tenantID else { return try await next(request, context) }
        if let wait = buckets.take(for: tenant, now: ContinuousClock.now) {
            let seconds = max(1, wait.wholeSecondsRoundedUp)
            throw Problem(
                .tooManyRequests,
                code: "rate-limited",
                title: "Too many requests",
                detail: "this tenant may make \(buckets.describedRate) requests a second; retry after \(seconds) s",
                headers: [.retryAfter: String(seconds)]
            )
        }
        return try await next(request, context)
    }

    /// The buckets of every tenant seen, behind one lock.
    final class Buckets: Sendable {
        struct Bucket {
            var tokens: Double
            var updated: ContinuousClock.Instant
        }

        let rate: Double
        let burst: Double
        private let state = Mutex<[TenantID: Bucket]>([:])

        init(rate: Double, burst: Double) {
            self.rate = rate
            self.burst = burst
        }

        var describedRate: String { rate == rate.rounded() ? String(Int(rate)) : String(rate) }

        /// Takes a token for `tenant`; `nil` when it had one, otherwise how long until it will.
        func take(for tenant: TenantID, now: ContinuousClock.Instant) -> Duration? {
            state.withLock { buckets in
                var bucket = buckets[tenant] ?? Bucket(tokens: burst, updated: now)
                let elapsed = now - bucket.updated
                let refill = elapsed.seconds * rate
                bucket.tokens = min(burst, bucket.tokens + refill)
                bucket.updated = now
                defer { buckets[tenant] = bucket }
                if bucket.tokens >= 1 {
                    bucket.tokens -= 1
                    return nil
                }
                return .nanoseconds(Int64((1 - bucket.tokens) / rate * 1e9))
            }
        }
    }
}
