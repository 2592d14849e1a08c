import AsyncJobsPostgres
import PostgresNIO

/// Checks the invariant of schema version 4: each job has exactly one row in the side table of its
/// state (`job_queue`, `job_leases` or `job_endings`), holding the same tenant, type and times as
/// the job, and no side row outlives its job.
enum StateTableCheck {
    /// One line per job or side row that breaks the invariant; empty when the tables agree.
    static func problems(in store: PostgresJobStore) async throws -> [String] {
        try await store.withConnection { connection in
            var problems: [String] = []
            let rows = try await connection.query(
                """
                SELECT coalesce(j.id, 'no job for seq ' || coalesce(q.seq, l.seq, e.seq)) || ': ' || concat_ws(', ',
                    CASE WHEN (j.state = 'queued') IS DISTINCT FROM (q.seq IS NOT NULL) THEN 'queue row ' || (q.seq IS NOT NULL) END,
                    CASE WHEN (j.state = 'running') IS DISTINCT FROM (l.seq IS NOT NULL) THEN 'lease row ' || (l.seq IS NOT NULL) END,
                    CASE WHEN (j.state IN ('succeeded', 'failed', 'cancelled')) IS DISTINCT FROM (e.seq IS NOT NULL)
                        THEN 'ending row ' || (e.seq IS NOT NULL) END,
                    CASE WHEN coalesce(q.tenant_id, l.tenant_id, e.tenant_id) IS DISTINCT FROM j.tenant_id THEN 'tenant' END,
                    CASE WHEN coalesce(q.type, l.type, e.type) IS DISTINCT FROM j.type THEN 'type' END,
                    CASE WHEN q.seq IS NOT NULL AND q.run_after IS DISTINCT FROM j.run_after THEN 'run_after' END,
                    CASE WHEN l.seq IS NOT NULL AND l.expires_at IS DISTINCT FROM j.lease_expires_at THEN 'lease expiry' END,
                    CASE WHEN e.seq IS NOT NULL AND e.state IS DISTINCT FROM j.state THEN 'ending state ' || e.state END,
                    CASE WHEN e.seq IS NOT NULL AND e.finished_at IS DISTINCT FROM j.finished_at THEN 'finished_at' END,
                    CASE WHEN e.seq IS NOT NULL AND e.live_result IS DISTINCT FROM
                        (j.state = 'succeeded' AND j.result_key IS NOT NULL AND j.result_expired_at IS NULL) THEN 'live_result' END
                ) || ' (state ' || coalesce(j.state, '-') || ')'
                FROM asyncjobs.jobs AS j
                FULL JOIN asyncjobs.job_queue AS q ON q.seq = j.seq
                FULL JOIN asyncjobs.job_leases AS l ON l.seq = coalesce(j.seq, q.seq)
                FULL JOIN asyncjobs.job_endings AS e ON e.seq = coalesce(j.seq, q.seq, l.seq)
                WHERE j.seq IS NULL
                    OR (j.state = 'queued') IS DISTINCT FROM (q.seq IS NOT NULL)
                    OR (j.state = 'running') IS DISTINCT FROM (l.seq IS NOT NULL)
                    OR (j.state IN ('succeeded', 'failed', 'cancelled')) IS DISTINCT FROM (e.seq IS NOT NULL)
                    OR coalesce(q.tenant_id, l.tenant_id, e.tenant_id) IS DISTINCT FROM j.tenant_id
                    OR coalesce(q.type, l.type, e.type) IS DISTINCT FROM j.type
                    OR (q.seq IS NOT NULL AND q.run_after IS DISTINCT FROM j.run_after)
                    OR (l.seq IS NOT NULL AND l.expires_at IS DISTINCT FROM j.lease_expires_at)
                    OR (e.seq IS NOT NULL AND (e.state IS DISTINCT FROM j.state OR e.finished_at IS DISTINCT FROM j.finished_at
                        OR e.live_result IS DISTINCT FROM (j.state = 'succeeded' AND j.result_key IS NOT NULL AND j.result_expired_at IS NULL)))
                """,
                logger: PostgresTestDatabase.logger
            )
            for try await problem in rows.decode(String.self) { problems.append(problem) }
            return problems
        }
    }
}
