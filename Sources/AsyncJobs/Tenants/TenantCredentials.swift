public import Foundation

/// Freshly generated credentials for a tenant: shown once, stored only as hashes.
///
/// The API key and client secret carry 256 bits of randomness, so a plain SHA-256 is enough to
/// store them safely: there is no dictionary to attack, and lookups by hash stay a single index read.
public struct TenantCredentials: Sendable, Codable, Hashable {
    /// The tenant's name.
    public var tenant: String
    /// The API key, sent as `X-API-Key`.
    public var apiKey: String
    /// The OAuth 2 client id.
    public var clientId: String
    /// The OAuth 2 client secret.
    public var clientSecret: String

    /// Generates new random credentials for `tenant`.
    public static func generate(for tenant: String) -> TenantCredentials {
        TenantCredentials(
            tenant: tenant,
            apiKey: "ak_" + RandomToken.make(bytes: 32),
            clientId: "cl_" + RandomToken.make(bytes: 12),
            clientSecret: "cs_" + RandomToken.make(bytes: 32)
        )
    }

    /// Creates credentials from known values.
    public init(tenant: String, apiKey: String, clientId: String, clientSecret: String) {
        self.tenant = tenant
        self.apiKey = apiKey
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    /// The hash under which an API key or client secret is stored.
    public static func hash(_ secret: String) -> String {
        SHA256Hex.digest(of: Array(secret.utf8))
    }
}

/// Random URL-safe tokens.
public enum RandomToken {
    /// `bytes` random bytes from the system generator, base64url-encoded without padding.
    public static func make(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `bytes` random bytes from the system generator, as lower-case hex.
    public static func hex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return SHA256Hex.hex((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

extension TenantStore {
    /// Creates a tenant named `name` with new credentials and returns them; only hashes are stored.
    public func createTenant(named name: String, now: Date = Date()) async throws -> TenantCredentials {
        guard Tenant.isValidName(name) else {
            throw JobError(.invalidParameters, "a tenant name is 1–64 characters of a-z, A-Z, 0-9, '-', '_' and '.'", field: "name")
        }
        let credentials = TenantCredentials.generate(for: name)
        let tenant = Tenant(id: TenantID("tn_" + RandomToken.make(bytes: 12)), name: name, createdAt: now)
        let client = OAuthClient(
            clientID: credentials.clientId,
            secretHash: TenantCredentials.hash(credentials.clientSecret),
            tenantID: tenant.id
        )
        try await createTenant(tenant, apiKeyHash: TenantCredentials.hash(credentials.apiKey), client: client)
        return credentials
    }
}
