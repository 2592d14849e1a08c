public import AsyncJobs
import Foundation
public import Hummingbird
import HTTPTypes
import SigV4

/// Requires both an `X-API-Key` and an `Authorization: Bearer` token of the same tenant, and puts
/// that tenant in the request context.
public struct APIAuthenticator: RouterMiddleware {
    public typealias Context = AppRequestContext

    let tenants: any TenantStore
    let tokens: AccessTokenIssuer
    /// Tenants of API keys found in the store, by the key, for a minute.
    let keyCache = CredentialCache<TenantID>()
    /// Claims of bearer tokens that verified, by the token, for at most a minute and never past expiry.
    let tokenCache = CredentialCache<AccessTokenIssuer.Claims>()

    /// Creates the authenticator.
    public init(tenants: any TenantStore, tokens: AccessTokenIssuer) {
        self.tenants = tenants
        self.tokens = tokens
    }

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey = request.headers[Self.apiKeyHeader], !apiKey.isEmpty else {
            throw Problem.unauthorized("the X-API-Key header is required")
        }
        guard let authorization = request.headers[.authorization] else {
            throw Problem.unauthorized("an Authorization: Bearer token is required; get one from POST /oauth2/token")
        }
        guard Self.hasBearerScheme(authorization) else {
            throw Problem.unauthorized("the Authorization header must use the Bearer scheme")
        }
        let token = authorization.dropFirst(7).trimmingSpacesAndTabs()
        guard let claims = verifiedClaims(token) else {
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

    /// The key's tenant. The store knows keys only by their hash; a key that was found is remembered
    /// by the key itself, in memory only as the bearer tokens are, so a poll does not hash it again.
    private func tenantID(forAPIKey apiKey: String) async throws -> TenantID? {
        if let cached = keyCache.value(forKey: apiKey) { return cached }
        guard let tenant = try await tenants.tenantID(forAPIKeyHash: TenantCredentials.hash(apiKey)) else { return nil }
        keyCache.store(tenant, forKey: apiKey, until: .now.advanced(by: Self.cacheLifetime))
        return tenant
    }

    /// Whether the `Authorization` value is `Bearer ` (any case) followed by something. Compared as
    /// bytes: counting and lower-casing `Character`s walked the whole ~180-byte value on every request.
    static func hasBearerScheme(_ authorization: String) -> Bool {
        let bytes = authorization.utf8
        guard bytes.count > 7 else { return false }
        return bytes.prefix(7).lazy.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }.elementsEqual("bearer ".utf8)
    }

    /// The token's claims when it is valid. A poller sends the same token many times a second, so a
    /// token that verified is remembered (in memory only, as the request itself is) until it expires
    /// or for a minute, whichever comes first.
    private func verifiedClaims(_ token: String) -> AccessTokenIssuer.Claims? {
        if let cached = tokenCache.value(forKey: token) { return cached }
        let now = Date()
        guard let claims = tokens.verify(token, now: now) else { return nil }
        let remaining = Double(claims.expires) - now.timeIntervalSince1970
        tokenCache.store(claims, forKey: token, until: .now.advanced(by: min(Self.cacheLifetime, .seconds(remaining))))
        return claims
    }

    static let cacheLifetime: Duration = .seconds(60)
}
