public import AsyncJobs
public import Foundation
import PostgresNIO

extension PostgresJobStore {
    public func createTenant(_ tenant: Tenant, apiKeyHash: String, client oauthClient: OAuthClient) async throws {
        try await transaction { [logger] connection in
            do {
                try await connection.query(
                    "INSERT INTO asyncjobs.tenants (id, name, created_at) VALUES (\(tenant.id.rawValue), \(tenant.name), \(tenant.createdAt))",
                    logger: logger
                )
            } catch let error as PSQLError where error.isUniqueViolation(of: "tenants_name_key") {
                throw JobError(.tenantExists, "a tenant named '\(tenant.name)' already exists")
            }
            try await connection.query(
                "INSERT INTO asyncjobs.api_keys (key_hash, tenant_id, created_at) VALUES (\(apiKeyHash), \(tenant.id.rawValue), \(tenant.createdAt))",
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO asyncjobs.oauth_clients (client_id, secret_hash, tenant_id, created_at)
                VALUES (\(oauthClient.clientID), \(oauthClient.secretHash), \(tenant.id.rawValue), \(tenant.createdAt))
                """,
                logger: logger
            )
        }
    }

    public func tenant(named name: String) async throws -> Tenant? {
        let rows = try await execute("SELECT id, name, created_at FROM asyncjobs.tenants WHERE name = \(name)", logger: logger)
        for try await (id, name, createdAt) in rows.decode((String, String, Date).self) {
            return Tenant(id: TenantID(id), name: name, createdAt: createdAt)
        }
        return nil
    }

    public func tenantCount() async throws -> Int {
        for try await count in try await execute("SELECT count(*) FROM asyncjobs.tenants", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    public func tenantID(forAPIKeyHash hash: String) async throws -> TenantID? {
        let rows = try await execute("SELECT tenant_id FROM asyncjobs.api_keys WHERE key_hash = \(hash)", logger: logger)
        for try await id in rows.decode(String.self) { return TenantID(id) }
        return nil
    }

    public func client(id: String) async throws -> OAuthClient? {
        let rows = try await execute(
            "SELECT client_id, secret_hash, tenant_id FROM asyncjobs.oauth_clients WHERE client_id = \(id)",
            logger: logger
        )
        for try await (clientID, secretHash, tenantID) in rows.decode((String, String, String).self) {
            return OAuthClient(clientID: clientID, secretHash: secretHash, tenantID: TenantID(tenantID))
        }
        return nil
    }

    public func secret(named name: String, orInsert candidate: String) async throws -> String {
        // Two statements: the select's fresh snapshot sees a row a concurrent caller committed while
        // this insert waited on it.
        try await execute(
            "INSERT INTO asyncjobs.secrets (name, value) VALUES (\(name), \(candidate)) ON CONFLICT (name) DO NOTHING",
            logger: logger
        )
        for try await value in try await execute("SELECT value FROM asyncjobs.secrets WHERE name = \(name)", logger: logger).decode(String.self) {
            return value
        }
        throw JobError(.storage, "the secret '\(name)' was not stored")
    }
}

extension PostgresJobStore: PassportStore {
    public func createPassportToken(_ token: PassportToken) async throws {
        try await execute(
            """
            INSERT INTO asyncjobs.passport_tokens (token_id, consumer_key, account, tenant_id, sealed_key, created_at)
            VALUES (\(token.tokenID), \(token.consumerKey), \(token.account), \(token.tenantID.rawValue), \(token.sealedKey), \(token.createdAt))
            """,
            logger: logger
        )
    }

    public func passportToken(id: String) async throws -> PassportToken? {
        let rows = try await execute(
            "SELECT token_id, consumer_key, account, tenant_id, sealed_key, created_at FROM asyncjobs.passport_tokens WHERE token_id = \(id)",
            logger: logger
        )
        for try await (tokenID, consumerKey, account, tenantID, sealedKey, createdAt) in rows.decode((String, String, String, String, String, Date).self) {
            return PassportToken(tokenID: tokenID, consumerKey: consumerKey, account: account, tenantID: TenantID(tenantID), sealedKey: sealedKey, createdAt: createdAt)
        }
        return nil
    }

    public func useNonce(_ nonce: String, consumerKey: String, expiresAt: Date, now: Date) async throws -> Bool {
        // The primary key decides between two nodes receiving the same request at once.
        return try await execute(
            """
            INSERT INTO asyncjobs.passport_nonces (consumer_key, nonce, expires_at) VALUES (\(consumerKey), \(nonce), \(expiresAt))
            ON CONFLICT (consumer_key, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE asyncjobs.passport_nonces.expires_at < \(now)
            RETURNING 1
            """,
            logger: logger
        ).count() == 1
    }

    public func forgetExpiredNonces(now: Date) async throws {
        try await execute("DELETE FROM asyncjobs.passport_nonces WHERE expires_at < \(now)", logger: logger)
    }
}

extension PSQLError {
    /// Whether the server refused a row because it broke this unique constraint.
    func isUniqueViolation(of constraint: String) -> Bool {
        serverInfo?[.sqlState] == "23505" && serverInfo?[.constraintName] == constraint
    }
}
