import AsyncJobs
import Foundation
import GRDB

extension SQLiteJobStore {
    /// The schema, as numbered migrations. Never edit a shipped migration: add the next one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-and-tenants") { db in
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        tenant_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        parameters TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
                        attempt INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        run_after REAL NOT NULL,
                        started_at REAL,
                        finished_at REAL,
                        lease_token TEXT,
                        lease_owner TEXT,
                        lease_expires_at REAL,
                        progress REAL NOT NULL DEFAULT 0,
                        eta_seconds REAL,
                        progress_at REAL,
                        error_code TEXT,
                        error_message TEXT,
                        result_key TEXT,
                        result_size INTEGER,
                        result_sha256 TEXT,
                        result_content_type TEXT,
                        result_file_name TEXT,
                        item_errors INTEGER NOT NULL DEFAULT 0,
                        idempotency_key TEXT,
                        request_fingerprint TEXT NOT NULL,
                        UNIQUE (tenant_id, idempotency_key)
                    );
                    CREATE INDEX jobs_due ON jobs (run_after, seq) WHERE state = 'queued';
                    CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'running';
                    CREATE INDEX jobs_by_tenant ON jobs (tenant_id, seq);
                    CREATE INDEX jobs_by_tenant_state ON jobs (tenant_id, state, seq);

                    CREATE TABLE tenants (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE api_keys (
                        key_hash TEXT PRIMARY KEY,
                        tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE oauth_clients (
                        client_id TEXT PRIMARY KEY,
                        secret_hash TEXT NOT NULL,
                        tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE secrets (
                        name TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-finished-jobs-index") { db in
            // Retention prunes the oldest finished jobs first.
            try db.execute(sql: "CREATE INDEX jobs_finished ON jobs (finished_at, seq) WHERE state IN ('succeeded', 'failed', 'cancelled')")
        }
        migrator.registerMigration("v3-passport-tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE passport_tokens (
                        token_id TEXT PRIMARY KEY,
                        consumer_key TEXT NOT NULL,
                        account TEXT NOT NULL,
                        tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
                        sealed_key TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE passport_nonces (
                        consumer_key TEXT NOT NULL,
                        nonce TEXT NOT NULL,
                        expires_at REAL NOT NULL,
                        PRIMARY KEY (consumer_key, nonce)
                    );
                    CREATE INDEX passport_nonces_expiry ON passport_nonces (expires_at);
                    """
            )
        }
        migrator.registerMigration("v4-result-expiry") { db in
            // Result retention expires the oldest stored results first.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN result_expired_at REAL;
                    CREATE INDEX jobs_live_results ON jobs (finished_at, seq)
                        WHERE state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL;
                    """
            )
        }
        return migrator
    }

    static func job(from row: Row) throws -> Job {
        let stateName: String = row["state"]
        guard let state = JobState(rawValue: stateName) else {
            throw JobError(.storage, "unknown job state '\(stateName)' in the database")
        }
        let parametersText: String = row["parameters"]
        guard case .object(let parameters) = try JSONValue.parse(parametersText) else {
            throw JobError(.storage, "job parameters in the database are not a JSON object")
        }
        var failure: JobFailure?
        if let code: String = row["error_code"] {
            failure = JobFailure(code: code, message: row["error_message"] ?? "")
        }
        var result: JobResult?
        if let key: String = row["result_key"] {
            result = JobResult(
                key: key,
                size: row["result_size"],
                sha256: row["result_sha256"],
                contentType: row["result_content_type"],
                fileName: row["result_file_name"]
            )
        }
        return Job(
            id: JobID(row["id"] as String),
            tenantID: TenantID(row["tenant_id"] as String),
            type: row["type"],
            parameters: parameters,
            state: state,
            attempt: row["attempt"],
            maxAttempts: row["max_attempts"],
            createdAt: date(row["created_at"])!,
            updatedAt: date(row["updated_at"])!,
            runAfter: date(row["run_after"])!,
            startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"]),
            progress: JobProgress(percent: row["progress"], estimatedSecondsRemaining: row["eta_seconds"], updatedAt: date(row["progress_at"])),
            failure: failure,
            result: result,
            itemErrors: row["item_errors"],
            idempotencyKey: row["idempotency_key"],
            resultExpiredAt: date(row["result_expired_at"])
        )
    }

    private static func date(_ seconds: Double?) -> Date? {
        seconds.map(Date.init(timeIntervalSince1970:))
    }
}
