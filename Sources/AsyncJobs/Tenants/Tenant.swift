public import Foundation

/// A tenant: the unit of isolation. Jobs, API keys and OAuth clients belong to one tenant.
public struct Tenant: Sendable, Hashable, Codable {
    /// The tenant's identifier.
    public var id: TenantID
    /// Its unique, human-chosen name.
    public var name: String
    /// When it was created.
    public var createdAt: Date

    /// Whether `name` is acceptable: 1–64 ASCII letters, digits, `-`, `_` or `.`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2d || byte == 0x5f || byte == 0x2e
            }
    }

    /// Creates a tenant value.
    public init(id: TenantID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// An OAuth 2 client as stored: only the hash of its secret.
public struct OAuthClient: Sendable, Hashable {
    /// The public client id.
    public var clientID: String
    /// Hex SHA-256 of the client secret.
    public var secretHash: String
    /// The tenant the client acts for.
    public var tenantID: TenantID

    /// Creates a client record.
    public init(clientID: String, secretHash: String, tenantID: TenantID) {
        self.clientID = clientID
        self.secretHash = secretHash
        self.tenantID = tenantID
    }
}
