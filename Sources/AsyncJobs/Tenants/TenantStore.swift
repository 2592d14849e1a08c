public import Foundation

/// Durable storage of tenants, their credentials and the service's own signing secrets.
///
/// Credentials are stored only as hashes (see ``TenantCredentials``); signing secrets, which must be
/// usable as HMAC keys, are kept in the store's secret table and never logged.
public protocol TenantStore: Sendable {
    /// Creates a tenant with its first API key and OAuth client. Throws
    /// ``JobError/Code/tenantExists`` when the name is taken.
    func createTenant(_ tenant: Tenant, apiKeyHash: String, client: OAuthClient) async throws

    /// The tenant with this name.
    func tenant(named name: String) async throws -> Tenant?

    /// How many tenants exist.
    func tenantCount() async throws -> Int

    /// The tenant owning the API key with this hash.
    func tenantID(forAPIKeyHash hash: String) async throws -> TenantID?

    /// The OAuth client with this id.
    func client(id: String) async throws -> OAuthClient?

    /// The secret stored under `name`, storing `candidate` first if there is none. Concurrent callers
    /// all get the same value.
    func secret(named name: String, orInsert candidate: String) async throws -> String
}
