import AsyncJobs
import Logging
import PostgresNIO

extension PostgresJobStore {
    /// One schema change. Never edit a shipped migration: add the next one.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
        /// Nodes of an older build would keep running on the new schema and break it, so only an
        /// operator who has stopped them applies this (``migrate(nodesStopped:)``).
        var needsStoppedNodes = false
    }

    /// Every node applies pending migrations at start while holding this advisory lock, so that
    /// nodes starting together apply each migration once.
    static let migrationLockKey: Int64 = 0x4153_594E_434A_4F42  // "ASYNCJOB"

    static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "jobs-and-tenants",
            statements: [
                """
                CREATE TABLE asyncjobs.jobs (
                    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id text NOT NULL UNIQUE,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    parameters text NOT NULL,
                    state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
                    attempt integer NOT NULL DEFAULT 0,
                    max_attempts integer NOT NULL,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    run_after timestamptz NOT NULL,
                    started_at timestamptz,
                    finished_at timestamptz,
                    lease_token text,
                    lease_owner text,
                    lease_expires_at timestamptz,
                    progress double precision NOT NULL DEFAULT 0,
                    eta_seconds double precision,
                    progress_at timestamptz,
                    error_code text,
                    error_message text,
                    result_key text,
                    result_size bigint,
                    result_sha256 text,
                    result_content_type text,
                    result_file_name text,
                    item_errors integer NOT NULL DEFAULT 0,
                    idempotency_key text,
                    request_fingerprint text NOT NULL,
                    CONSTRAINT jobs_idempotency_key UNIQUE (tenant_id, idempotency_key)
                )
                """,
                "CREATE INDEX jobs_due ON asyncjobs.jobs (run_after, seq) WHERE state = 'queued'",
                "CREATE INDEX jobs_leased ON asyncjobs.jobs (lease_expires_at) WHERE state = 'running'",
                "CREATE INDEX jobs_by_tenant ON asyncjobs.jobs (tenant_id, seq)",
                "CREATE INDEX jobs_by_tenant_state ON asyncjobs.jobs (tenant_id, state, seq)",
                "CREATE INDEX jobs_finished ON asyncjobs.jobs (finished_at, seq) WHERE state IN ('succeeded', 'failed', 'cancelled')",
                """
                CREATE TABLE asyncjobs.tenants (
                    id text PRIMARY KEY,
                    name text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.api_keys (
                    key_hash text PRIMARY KEY,
                    tenant_id text NOT NULL REFERENCES asyncjobs.tenants (id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.oauth_clients (
                    client_id text PRIMARY KEY,
                    secret_hash text NOT NULL,
                    tenant_id text NOT NULL REFERENCES asyncjobs.tenants (id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.secrets (
                    name text PRIMARY KEY,
                    value text NOT NULL
                )
                """,
            ]
        ),
        Migration(
            version: 2,
            name: "passport-tokens",
            statements: [
                """
                CREATE TABLE asyncjobs.passport_tokens (
                    token_id text PRIMARY KEY,
                    consumer_key text NOT NULL,
                    account text NOT NULL,
                    tenant_id text NOT NULL REFERENCES asyncjobs.tenants (id) ON DELETE CASCADE,
                    sealed_key text NOT NULL,
                    created_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.passport_nonces (
                    consumer_key text NOT NULL,
                    nonce text NOT NULL,
                    expires_at timestamptz NOT NULL,
                    PRIMARY KEY (consumer_key, nonce)
                )
                """,
                "CREATE INDEX passport_nonces_expiry ON asyncjobs.passport_nonces (expires_at)",
            ]
        ),
        Migration(
            version: 3,
            name: "result-expiry",
            statements: [
                "ALTER TABLE asyncjobs.jobs ADD COLUMN result_expired_at timestamptz",
                // Result retention expires the oldest stored results first.
                """
                CREATE INDEX jobs_live_results ON asyncjobs.jobs (finished_at, seq)
                WHERE state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL
                """,
            ]
        ),
        // Every index of the jobs table named `state` or another column that changes with it, so no
        // claim or completion could update a row in place: each wrote a new entry into all nine of
        // the table's indexes. The indexes that follow a job's state move to one narrow table per
        // state, which a job enters and leaves as its state changes; the jobs table keeps indexes on
        // columns that never change, and its updates become heap-only (HOT). Nodes of an older build
        // do not write these tables: stop them all before this migration (the README says so).
        Migration(
            version: 4,
            name: "state-indexes-in-side-tables",
            statements: [
                // The side tables copy these times; no build writes NULL here, but a hand-edited row
                // must not leave a lease that looks lapsed to one table and not to the other.
                "UPDATE asyncjobs.jobs SET lease_expires_at = updated_at WHERE state = 'running' AND lease_expires_at IS NULL",
                "UPDATE asyncjobs.jobs SET finished_at = updated_at WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NULL",
                """
                CREATE TABLE asyncjobs.job_queue (
                    seq bigint PRIMARY KEY,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    run_after timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.job_leases (
                    seq bigint PRIMARY KEY,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    expires_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE asyncjobs.job_endings (
                    seq bigint PRIMARY KEY,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    state text NOT NULL CHECK (state IN ('succeeded', 'failed', 'cancelled')),
                    finished_at timestamptz NOT NULL,
                    live_result boolean NOT NULL
                )
                """,
                "INSERT INTO asyncjobs.job_queue SELECT seq, tenant_id, type, run_after FROM asyncjobs.jobs WHERE state = 'queued'",
                "INSERT INTO asyncjobs.job_leases SELECT seq, tenant_id, type, lease_expires_at FROM asyncjobs.jobs WHERE state = 'running'",
                """
                INSERT INTO asyncjobs.job_endings
                SELECT seq, tenant_id, type, state, finished_at,
                    state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL
                FROM asyncjobs.jobs WHERE state IN ('succeeded', 'failed', 'cancelled')
                """,
                "CREATE INDEX job_queue_due ON asyncjobs.job_queue (run_after, seq)",
                "CREATE INDEX job_queue_by_tenant ON asyncjobs.job_queue (tenant_id, seq)",
                "CREATE INDEX job_leases_expiry ON asyncjobs.job_leases (expires_at)",
                "CREATE INDEX job_leases_by_tenant ON asyncjobs.job_leases (tenant_id, seq)",
                "CREATE INDEX job_endings_by_tenant_state ON asyncjobs.job_endings (tenant_id, state, seq)",
                "CREATE INDEX job_endings_finished ON asyncjobs.job_endings (finished_at, seq)",
                "CREATE INDEX job_endings_live_results ON asyncjobs.job_endings (finished_at, seq) WHERE live_result",
                """
                DROP INDEX asyncjobs.jobs_due, asyncjobs.jobs_leased, asyncjobs.jobs_by_tenant_state,
                    asyncjobs.jobs_finished, asyncjobs.jobs_live_results
                """,
                // Room on each page for the next versions of its rows, which HOT updates place beside
                // them: a claim updates a run of neighbouring rows at once. With the throughput
                // benchmark, 50 made 82 % of updates HOT (70: 47 %, 100: 6 %) and left the table and
                // its indexes the smallest of the three.
                "ALTER TABLE asyncjobs.jobs SET (fillfactor = 50)",
            ],
            needsStoppedNodes: true
        ),
    ]

    /// The newest schema version this build knows.
    public static var latestSchemaVersion: Int { migrations.last?.version ?? 0 }

    /// Applies pending migrations in one transaction under an advisory lock; returns the versions it
    /// applied (empty when the schema was current). Safe to call from many nodes at once.
    ///
    /// - Parameter nodesStopped: Whether the operator has stopped every node of an older build. A
    ///   migration those nodes would break (schema v4, whose side tables they do not write) is applied
    ///   only then, or on a database that has no schema yet; otherwise this throws
    ///   ``PostgresStoreError/Code/nodesMustBeStopped`` and changes nothing. Nodes pass `false`;
    ///   `asyncjobs migrate` passes `true`.
    @discardableResult
    public func migrate(nodesStopped: Bool = false) async throws -> [Int] {
        try await migrate(upTo: Self.latestSchemaVersion, nodesStopped: nodesStopped)
    }

    /// Applies the pending migrations up to `version` (tests build older schemas with it).
    func migrate(upTo version: Int, nodesStopped: Bool = true) async throws -> [Int] {
        try await transaction(deadline: nil) { [logger] connection in
            // Building an index on a large table may take longer than any request should.
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
            try await connection.query("CREATE SCHEMA IF NOT EXISTS asyncjobs", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS asyncjobs.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM asyncjobs.schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            if let newest = applied.max(), newest > Self.latestSchemaVersion {
                throw PostgresStoreError(
                    .schemaTooNew,
                    "the database has schema version \(newest) but this build knows up to \(Self.latestSchemaVersion); upgrade this node"
                )
            }
            let pending = Self.migrations.filter { !applied.contains($0.version) && $0.version <= version }
            if !nodesStopped, !applied.isEmpty, let offline = pending.first(where: \.needsStoppedNodes) {
                throw PostgresStoreError(
                    .nodesMustBeStopped,
                    """
                    schema version \(offline.version) (\(offline.name)) must be applied while no node of an older build runs: \
                    stop every node using this database, run `asyncjobs migrate`, then start the nodes of this build
                    """
                )
            }
            var appliedNow: [Int] = []
            for migration in pending {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO asyncjobs.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
    }

    /// The schema versions applied so far, oldest first.
    public func appliedMigrations() async throws -> [Int] {
        var versions: [Int] = []
        let rows = try await execute("SELECT version FROM asyncjobs.schema_migrations ORDER BY version", logger: logger)
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }
}
