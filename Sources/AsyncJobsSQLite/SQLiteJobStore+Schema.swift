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
        migrator.registerMigration("v5-state-tests-without-in-lists") { db in
            try rebuildJobsWithStateComparisons(db)
        }
        return migrator
    }

    /// Rebuilds `jobs` (SQLite's documented twelve-step table change) so that its CHECK constraint and
    /// the `jobs_finished` predicate compare `state` with each name in turn instead of testing it
    /// `IN` a list.
    ///
    /// SQLite 3.40 evaluates a constant list of more than two values through an ephemeral b-tree that
    /// it opens, fills and closes on every execution of a statement: each insert paid for two, each
    /// claim and completion for three. That was about a third of the single writer's b-tree time
    /// (`scripts/bench/sqlite-indexes.py`). The constraint and the set of indexed rows stay the same.
    private static func rebuildJobsWithStateComparisons(_ db: Database) throws {
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'jobs'")
        let columns = """
            seq, id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at, run_after, \
            started_at, finished_at, lease_token, lease_owner, lease_expires_at, progress, eta_seconds, progress_at, \
            error_code, error_message, result_key, result_size, result_sha256, result_content_type, result_file_name, \
            item_errors, idempotency_key, request_fingerprint, result_expired_at
            """
        try db.execute(
            sql: """
                CREATE TABLE jobs_rebuilt (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    tenant_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (
                        state = 'queued' OR state = 'running' OR state = 'succeeded' OR state = 'failed' OR state = 'cancelled'
                    ),
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
                    result_expired_at REAL,
                    UNIQUE (tenant_id, idempotency_key)
                );
                INSERT INTO jobs_rebuilt (\(columns)) SELECT \(columns) FROM jobs ORDER BY seq;
                DROP TABLE jobs;
                ALTER TABLE jobs_rebuilt RENAME TO jobs;
                CREATE INDEX jobs_due ON jobs (run_after, seq) WHERE state = 'queued';
                CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'running';
                CREATE INDEX jobs_by_tenant ON jobs (tenant_id, seq);
                CREATE INDEX jobs_by_tenant_state ON jobs (tenant_id, state, seq);
                CREATE INDEX jobs_finished ON jobs (finished_at, seq)
                    WHERE (state = 'succeeded' OR state = 'failed' OR state = 'cancelled');
                CREATE INDEX jobs_live_results ON jobs (finished_at, seq)
                    WHERE state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL;
                """
        )
        // AUTOINCREMENT never hands out a number again, not even that of a job deleted since: carry
        // the highest number used over, which the copy alone would lower to the highest one kept.
        if let lastSeq {
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'jobs'")
            try db.execute(
                sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', max(?, (SELECT coalesce(max(seq), 0) FROM jobs)))",
                arguments: [lastSeq]
            )
        }
    }

    /// The predicate of the `jobs_finished` index, word for word: SQLite uses a partial index only
    /// for a query whose WHERE clause contains it.
    static let finishedStatePredicate = "(state = 'succeeded' OR state = 'failed' OR state = 'cancelled')"

    /// The columns every job-returning statement selects, in the order ``job(from:)`` reads them.
    /// Statements that need more append it after these, at ``jobColumnCount`` and on.
    static let jobColumns = """
        id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at, run_after, \
        started_at, finished_at, progress, eta_seconds, progress_at, error_code, error_message, \
        result_key, result_size, result_sha256, result_content_type, result_file_name, item_errors, \
        idempotency_key, result_expired_at
        """
    static let jobColumnCount = 25
    /// Reads one job by id; built once, as the status route runs it on every uncached poll.
    static let jobSQL = "SELECT \(jobColumns) FROM jobs WHERE id = ?"
    /// Reads one job by id, only if it belongs to the tenant.
    static let jobOfTenantSQL = "SELECT \(jobColumns) FROM jobs WHERE id = ? AND tenant_id = ?"

    /// Reads a job from a row that starts with ``jobColumns``, by position: GRDB's lookup by name
    /// lower-cases every name it compares, which was most of the cost of decoding a claimed row.
    static func job(from row: Row) throws -> Job {
        let stateName: String = row[4]
        guard let state = JobState(rawValue: stateName) else {
            throw JobError(.storage, "unknown job state '\(stateName)' in the database")
        }
        let parametersText: String = row[3]
        guard case .object(let parameters) = try JSONValue.parse(parametersText) else {
            throw JobError(.storage, "job parameters in the database are not a JSON object")
        }
        var failure: JobFailure?
        if let code: String = row[15] {
            failure = JobFailure(code: code, message: row[16] ?? "")
        }
        var result: JobResult?
        if let key: String = row[17] {
            result = JobResult(key: key, size: row[18], sha256: row[19], contentType: row[20], fileName: row[21])
        }
        return Job(
            id: JobID(row[0] as String),
            tenantID: TenantID(row[1] as String),
            type: row[2],
            parameters: parameters,
            state: state,
            attempt: row[5],
            maxAttempts: row[6],
            createdAt: date(row[7])!,
            updatedAt: date(row[8])!,
            runAfter: date(row[9])!,
            startedAt: date(row[10]),
            finishedAt: date(row[11]),
            progress: JobProgress(percent: row[12], estimatedSecondsRemaining: row[13], updatedAt: date(row[14])),
            failure: failure,
            result: result,
            itemErrors: row[22],
            idempotencyKey: row[23],
            resultExpiredAt: date(row[24])
        )
    }

    private static func date(_ seconds: Double?) -> Date? {
        seconds.map(Date.init(timeIntervalSince1970:))
    }
}
