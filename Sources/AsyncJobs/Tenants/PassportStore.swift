public import Foundation

/// A token-based-authentication token: what a SOAP client's `tokenPassport` names and signs with.
///
/// The HMAC key (`consumerSecret&tokenSecret`) must be usable to verify signatures, so it cannot be
/// hashed; it is kept only sealed (encrypted and authenticated) under a key from the store's secret
/// table, and is shown to the operator once, when created.
public struct PassportToken: Sendable, Hashable {
    /// The token id (`tokenPassport/token`).
    public var tokenID: String
    /// The consumer key (`tokenPassport/consumerKey`).
    public var consumerKey: String
    /// The account (`tokenPassport/account`); one per tenant.
    public var account: String
    /// The tenant the token acts for.
    public var tenantID: TenantID
    /// The sealed HMAC key.
    public var sealedKey: String
    /// When it was created.
    public var createdAt: Date

    /// Creates a token record.
    public init(tokenID: String, consumerKey: String, account: String, tenantID: TenantID, sealedKey: String, createdAt: Date) {
        self.tokenID = tokenID
        self.consumerKey = consumerKey
        self.account = account
        self.tenantID = tenantID
        self.sealedKey = sealedKey
        self.createdAt = createdAt
    }
}

/// Durable storage of passport tokens and of the nonces they have used, shared by every node so a
/// replayed request is refused whichever node it reaches.
public protocol PassportStore: Sendable {
    /// Stores a new token.
    func createPassportToken(_ token: PassportToken) async throws

    /// The token with this id.
    func passportToken(id: String) async throws -> PassportToken?

    /// Records that `nonce` was used with `consumerKey`, remembered until `expiresAt`. Returns `false`
    /// (and records nothing) when the pair was already used and is still remembered at `now`; an
    /// expired record is taken over.
    func useNonce(_ nonce: String, consumerKey: String, expiresAt: Date, now: Date) async throws -> Bool

    /// Deletes the nonce records that expired before `now` (the retention sweeper calls it, so the
    /// request path does not).
    func forgetExpiredNonces(now: Date) async throws
}
