import AsyncJobs
import AsyncJobsPostgres
import AsyncJobsTestSupport
import Foundation
import PostgresNIO
import Testing

/// Interleavings between nodes, made to happen in a fixed order by holding a job's row lock on a
/// second connection, after which the side tables must still agree with the jobs.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipReason))
struct PostgresStateRaceTests {
    /// A cancel reads a running job, then waits for its row while another node requeues the job and
    /// claims it again. The cancel must not end the new attempt with the old attempt's lease in hand:
    /// it would leave the new lease row behind for good.
    @Test func aCancelWaitingWhileTheJobIsRequeuedAndReclaimedLeavesNoLease() async throws {
        try await PostgresTestDatabase.withStores(nodes: 2) { stores in
            let (store, other) = (stores[0], stores[1])
            let tenant = TenantID("t")
            let id = try await store.submit(NewJob(tenantID: tenant, type: "demo.csv", parameters: [:], maxAttempts: 3, now: Date())).job.id
            let first = try await store.claim(ClaimRequest(workerID: "w1", types: nil, limit: 1, leaseExpiry: Date().addingTimeInterval(30), now: Date()))
            #expect(first.map(\.job.id) == [id])

            let outcome = try await other.withConnection { connection in
                let logger = PostgresTestDatabase.logger
                try await connection.query("BEGIN", logger: logger)
                try await connection.query("SELECT 1 FROM asyncjobs.jobs WHERE id = \(id.rawValue) FOR UPDATE", logger: logger)
                return try await withThrowingTaskGroup(of: CancelOutcome.self) { group in
                    group.addTask { try await store.cancel(id, tenant: tenant, now: Date()) }
                    // The cancel has read the job as running and now waits for its row.
                    try await eventually("the cancel waits for the job's row lock") {
                        let waiting = try await connection.query(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                            logger: logger
                        ).decode(Int64.self)
                        for try await count in waiting { return count == 1 }
                        return false
                    }
                    // The lease lapses and the job goes back to the queue; a node claims it again.
                    try await connection.query(
                        """
                        WITH requeued AS (
                            UPDATE asyncjobs.jobs SET state = 'queued', lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                            WHERE id = \(id.rawValue) RETURNING seq, tenant_id, type, run_after
                        ),
                        unleased AS (DELETE FROM asyncjobs.job_leases AS l USING requeued WHERE l.seq = requeued.seq)
                        INSERT INTO asyncjobs.job_queue SELECT seq, tenant_id, type, run_after FROM requeued
                        """,
                        logger: logger
                    )
                    try await connection.query(
                        """
                        WITH due AS (DELETE FROM asyncjobs.job_queue WHERE seq = (SELECT seq FROM asyncjobs.jobs WHERE id = \(id.rawValue)) RETURNING seq),
                        claimed AS (
                            UPDATE asyncjobs.jobs AS j SET state = 'running', attempt = attempt + 1, lease_token = 'second-attempt',
                                lease_owner = 'w2', lease_expires_at = now() + interval '30 s'
                            FROM due WHERE j.seq = due.seq RETURNING j.seq, j.tenant_id, j.type, j.lease_expires_at
                        )
                        INSERT INTO asyncjobs.job_leases SELECT seq, tenant_id, type, lease_expires_at FROM claimed
                        """,
                        logger: logger
                    )
                    try await connection.query("COMMIT", logger: logger)
                    return try await group.next()!
                }
            }
            guard case .cancelled(let job, let wasRunning) = outcome else {
                Issue.record("expected the job cancelled, got \(outcome)")
                return
            }
            #expect(wasRunning)
            #expect(job.state == .cancelled)
            #expect(try await store.job(id, tenant: tenant)?.state == .cancelled)
            #expect(try await StateTableCheck.problems(in: store) == [])
            #expect(try await store.countUnfinishedJobs(tenant: tenant, upTo: 10) == 0)
        }
    }
}
