import AsyncJobs

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
