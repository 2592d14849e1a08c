public import AsyncJobs
public import Foundation

/// What `asyncjobs tba create` prints, once: everything a SuiteTalk-style client needs to sign.
public struct PassportCredentials: Sendable, Codable, Hashable {
    /// The account id, to send as `tokenPassport/account`.
    public var account: String
    /// The consumer key.
    public var consumerKey: String
    /// The consumer secret (never stored in plain text).
    public var consumerSecret: String
    /// The token id.
    public var tokenId: String
    /// The token secret (never stored in plain text).
    public var tokenSecret: String

    /// Creates credentials from their parts.
    public init(account: String, consumerKey: String, consumerSecret: String, tokenId: String, tokenSecret: String) {
        self.account = account
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.tokenId = tokenId
        self.tokenSecret = tokenSecret
    }

    /// New random credentials for a tenant (64 hex characters each, like NetSuite's), and the record
    /// to store, whose HMAC key is sealed.
    public static func generate(for tenant: Tenant, sealer: PassportKeySealer, now: Date = Date()) throws -> (PassportCredentials, PassportToken) {
        let credentials = PassportCredentials(
            account: tenant.name,
            consumerKey: RandomToken.hex(bytes: 32),
            consumerSecret: RandomToken.hex(bytes: 32),
            tokenId: RandomToken.hex(bytes: 32),
            tokenSecret: RandomToken.hex(bytes: 32)
        )
        let token = PassportToken(
            tokenID: credentials.tokenId,
            consumerKey: credentials.consumerKey,
            account: credentials.account,
            tenantID: tenant.id,
            sealedKey: try sealer.seal(credentials.consumerSecret + "&" + credentials.tokenSecret),
            createdAt: now
        )
        return (credentials, token)
    }
}
