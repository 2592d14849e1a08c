import AsyncJobs
import PostgresNIO

/// The side tables that index jobs by state (schema version 4).
///
/// A job has one row in exactly one of them: `job_queue` while it is queued (due order, tenant),
/// `job_leases` while it runs (lease expiry, tenant), `job_endings` once it has ended (tenant and
/// state, finish time, results still stored). Every statement that changes a job's state moves its
/// row in the same statement, through the fragments below, each reading a common table expression
/// (`from`) that returned the changed jobs' `seq, tenant_id, type` and the columns the table needs.
/// Indexes on the jobs table itself name only columns that never change, so its updates are HOT.
///
/// Lock order: a claim and a cancel of a queued job lock the queue row, then the job; every other
/// writer locks the job, then its lease or ending row. No two writers wait on each other in a circle.
extension PostgresJobStore {
    // A row left behind (by a node of an older build, or by hand) is overwritten rather than failing
    // the statement, which for the reaper would stop every lapsed lease from being requeued.

    /// Adds queue rows for the jobs in `from` (which returns `run_after`).
    static func enterQueue(from source: String) -> String {
        """
        INSERT INTO asyncjobs.job_queue (seq, tenant_id, type, run_after) SELECT seq, tenant_id, type, run_after FROM \(source)
        ON CONFLICT (seq) DO UPDATE SET tenant_id = excluded.tenant_id, type = excluded.type, run_after = excluded.run_after
        """
    }

    /// Adds lease rows for the jobs in `from` (which returns `lease_expires_at`).
    static func enterLeases(from source: String) -> String {
        """
        INSERT INTO asyncjobs.job_leases (seq, tenant_id, type, expires_at) SELECT seq, tenant_id, type, lease_expires_at FROM \(source)
        ON CONFLICT (seq) DO UPDATE SET tenant_id = excluded.tenant_id, type = excluded.type, expires_at = excluded.expires_at
        """
    }

    /// Removes the lease rows of the jobs in `from`.
    static func leaveLeases(from source: String) -> String {
        "DELETE FROM asyncjobs.job_leases AS lease USING \(source) WHERE lease.seq = \(source).seq"
    }

    /// Adds ending rows in `state` for the jobs in `from` (which returns `finished_at` and `result_key`).
    static func enterEndings(from source: String, state: JobState) -> String {
        """
        INSERT INTO asyncjobs.job_endings (seq, tenant_id, type, state, finished_at, live_result)
        SELECT seq, tenant_id, type, '\(state.rawValue)', finished_at, \(state == .succeeded ? "result_key IS NOT NULL" : "false") FROM \(source)
        ON CONFLICT (seq) DO UPDATE SET tenant_id = excluded.tenant_id, type = excluded.type, state = excluded.state,
            finished_at = excluded.finished_at, live_result = excluded.live_result
        """
    }

    /// Removes the ending rows of the jobs in `from`.
    static func leaveEndings(from source: String) -> String {
        "DELETE FROM asyncjobs.job_endings AS ending USING \(source) WHERE ending.seq = \(source).seq"
    }

    /// What a state change of the jobs table, aliased `j`, returns for the fragments above.
    static let stateTableColumns = "j.seq, j.tenant_id, j.type, j.run_after, j.lease_expires_at, j.finished_at, j.result_key"

    /// The side table that lists a tenant's jobs in `state`, and the condition that picks them there.
    static func stateTable(for state: JobState) -> (table: String, condition: String) {
        switch state {
        case .queued: ("asyncjobs.job_queue", "")
        case .running: ("asyncjobs.job_leases", "")
        case .succeeded, .failed, .cancelled: ("asyncjobs.job_endings", " AND state = '\(state.rawValue)'")
        }
    }
}

extension PostgresJobStore {
    /// One side table: the jobs whose row belongs there, and the columns it copies.
    struct StateTable {
        var name: String
        /// Which jobs have a row here.
        var states: String
        /// The side row's columns, as expressions over the job `j`.
        var columns: [(name: String, value: String)]

        /// Jobs in these states whose row here is missing or differs from its copies, with the row
        /// they should have.
        var rowsWanted: String {
            let values = columns.map { "\($0.value) AS \($0.name)" }.joined(separator: ", ")
            let same = columns.map { "side.\($0.name) IS NOT DISTINCT FROM \($0.value)" }.joined(separator: " AND ")
            return """
                SELECT j.seq, \(values) FROM asyncjobs.jobs AS j
                WHERE j.state IN (\(states)) AND NOT EXISTS (SELECT 1 FROM \(name) AS side WHERE side.seq = j.seq AND \(same))
                """
        }

        /// Rows here whose job is gone or in another state.
        var rowsUnwanted: String {
            "NOT EXISTS (SELECT 1 FROM asyncjobs.jobs AS j WHERE j.seq = side.seq AND j.state IN (\(states)))"
        }
    }

    static let stateTables = [
        StateTable(
            name: "asyncjobs.job_queue",
            states: "'queued'",
            columns: [("tenant_id", "j.tenant_id"), ("type", "j.type"), ("run_after", "j.run_after")]
        ),
        StateTable(
            name: "asyncjobs.job_leases",
            states: "'running'",
            columns: [("tenant_id", "j.tenant_id"), ("type", "j.type"), ("expires_at", "j.lease_expires_at")]
        ),
        StateTable(
            name: "asyncjobs.job_endings",
            states: "'succeeded', 'failed', 'cancelled'",
            columns: [
                ("tenant_id", "j.tenant_id"), ("type", "j.type"), ("state", "j.state"), ("finished_at", "j.finished_at"),
                ("live_result", "(j.state = 'succeeded' AND j.result_key IS NOT NULL AND j.result_expired_at IS NULL)"),
            ]
        ),
    ]

    /// How many side rows are missing, stale or left over: zero unless a node of a build before
    /// schema v4 ran after the upgrade, or rows were edited by hand. Reads one snapshot and takes no
    /// lock; it scans every job.
    public func stateTableProblems() async throws -> Int {
        let counts = Self.stateTables.flatMap { table in
            ["(SELECT count(*) FROM (\(table.rowsWanted)) AS wanted)", "(SELECT count(*) FROM \(table.name) AS side WHERE \(table.rowsUnwanted))"]
        }
        return try await transaction(deadline: nil) { [logger] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT " + counts.joined(separator: " + ")), logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    /// Puts every job's row into its state's side table with current copies, and removes the rest.
    ///
    /// Holds a `SHARE` lock on the jobs table while it runs, so writers on every node wait (for a
    /// few seconds per million jobs) and nothing moves under it.
    public func repairStateTables() async throws -> StateTableRepair {
        try await transaction(deadline: nil) { [logger] connection in
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.query("LOCK TABLE asyncjobs.jobs IN SHARE MODE", logger: logger)
            var repair = StateTableRepair(written: 0, removed: 0)
            for table in Self.stateTables {
                repair.removed += try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM \(table.name) AS side WHERE \(table.rowsUnwanted) RETURNING 1"),
                    logger: logger
                ).count()
                let names = table.columns.map(\.name)
                repair.written += try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(table.name) (seq, \(names.joined(separator: ", "))) \(table.rowsWanted)
                            ON CONFLICT (seq) DO UPDATE SET \(names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                            RETURNING 1
                            """
                    ),
                    logger: logger
                ).count()
            }
            return repair
        }
    }
}
