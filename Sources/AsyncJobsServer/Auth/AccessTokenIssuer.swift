public import AsyncJobs
import Crypto
public import Foundation

/// Issues and verifies the bearer tokens of the OAuth 2 client-credentials grant.
///
/// Tokens are self-contained and MAC-protected (HMAC-SHA256 with a key from the store's secret table):
/// verifying one costs no I/O, and every node sharing the store accepts the tokens of every other.
public struct AccessTokenIssuer: Sendable {
    /// What a valid token says.
    public struct Claims: Codable, Sendable, Equatable {
        /// The tenant the token acts for.
        public var tenant: String
        /// The OAuth client it was issued to.
        public var client: String
        /// Expiry, in seconds since 1970.
        public var expires: Int64

        enum CodingKeys: String, CodingKey {
            case tenant = "t"
            case client = "c"
            case expires = "e"
        }
    }

    private let key: SymmetricKey
    /// How long issued tokens live.
    public let lifetime: Int

    /// Creates an issuer.
    /// - Parameters:
    ///   - secret: The MAC key material (at least 32 bytes of randomness).
    ///   - lifetime: Seconds an issued token is valid.
    public init(secret: String, lifetime: Int = 3600) {
        self.key = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
        self.lifetime = lifetime
    }

    /// A new token for the client.
    public func issue(tenant: TenantID, client: String, now: Date = Date()) -> String {
        let claims = Claims(tenant: tenant.rawValue, client: client, expires: Int64(now.timeIntervalSince1970) + Int64(lifetime))
        // Encoding three plain fields cannot fail.
        let payload = Base64URL.encode(Array((try? JSONEncoder().encode(claims)) ?? Data()))
        return "at1.\(payload).\(Base64URL.encode(mac(payload)))"
    }

    /// The claims of a valid, unexpired token, or `nil`.
    public func verify(_ token: String, now: Date = Date()) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "at1", token.utf8.count < 2048,
            let signature = Base64URL.decode(String(parts[2])),
            let payloadBytes = Base64URL.decode(String(parts[1]))
        else { return nil }
        // HMAC's own comparison runs in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(parts[1].utf8), using: key) else { return nil }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes)),
            Int64(now.timeIntervalSince1970) < claims.expires
        else { return nil }
        return claims
    }

    private func mac(_ payload: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key))
    }
}

/// Base64url without padding (RFC 4648 §5).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
