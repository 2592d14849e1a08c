public import AsyncJobs
import Foundation
public import Hummingbird
import HTTPTypes
import Synchronization

/// Requires both an `X-API-Key` and an `Authorization: Bearer` token of the same tenant, and puts
/// that tenant in the request context.
public struct APIAuthenticator: RouterMiddleware {
    public typealias Context = AppRequestContext

    let tenants: any TenantStore
    let tokens: AccessTokenIssuer
    let keyCache: APIKeyCache

    /// Creates the authenticator.
    public init(tenants: any TenantStore, tokens: AccessTokenIssuer) {
        self.tenants = tenants
        self.tokens = tokens
        self.keyCache = APIKeyCache()
    }

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey = request.headers[Self.apiKeyHeader], !apiKey.isEmpty else {
            throw Problem.unauthorized("the X-API-Key header is required")
        }
        guard let authorization = request.headers[.authorization] else {
            throw Problem.unauthorized("an Authorization: Bearer token is required; get one from POST /oauth2/token")
        }
        let scheme = authorization.prefix(7)
        guard scheme.lowercased() == "bearer ", authorization.count > 7 else {
            throw Problem.unauthorized("the Authorization header must use the Bearer scheme")
        }
        let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let claims = tokens.verify(token) else {
            throw Problem.unauthorized(
                "the bearer token is invalid or expired",
                challenge: #"Bearer realm="asyncjobs", error="invalid_token""#
            )
        }
        guard let keyTenant = try await tenantID(forAPIKey: apiKey) else {
            throw Problem.unauthorized("the API key is not valid")
        }
        guard keyTenant.rawValue == claims.tenant else {
            throw Problem.unauthorized("the API key and the bearer token belong to different tenants")
        }
        var context = context
        context.tenantID = keyTenant
        return try await next(request, context)
    }

    private func tenantID(forAPIKey apiKey: String) async throws -> TenantID? {
        let hash = TenantCredentials.hash(apiKey)
        if let cached = keyCache.tenant(forHash: hash) { return cached }
        guard let tenant = try await tenants.tenantID(forAPIKeyHash: hash) else { return nil }
        keyCache.store(tenant, forHash: hash)
        return tenant
    }
}

/// Remembers recently verified API keys (by hash) for a minute, so polling does not read the store
/// for every request. Only keys that were found are cached.
final class APIKeyCache: Sendable {
    private let entries = Mutex<[String: (tenant: TenantID, until: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration = .seconds(60)
    private let capacity = 10_000

    func tenant(forHash hash: String) -> TenantID? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.until > now else {
                entries[hash] = nil
                return nil
            }
            return entry.tenant
        }
    }

    func store(_ tenant: TenantID, forHash hash: String) {
        let until = ContinuousClock.now.advanced(by: lifetime)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (tenant, until)
        }
    }
}
