import AsyncJobs
@testable import AsyncJobsPostgres
import Foundation
import PostgresNIO
import Testing

@Suite(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipReason))
struct PostgresSchemaUpgradeTests {
    /// A version 3 database with a job in every state is upgraded to side tables, and every store
    /// operation that reads them finds its jobs there.
    @Test func upgradingMovesEveryJobIntoItsStateTable() async throws {
        try await PostgresTestDatabase.withDatabase { configuration in
            let store = try PostgresJobStore(configuration: configuration, logger: PostgresTestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { running in
                running.addTask { try await store.run() }
                defer { running.cancelAll() }
                #expect(try await store.migrate(upTo: 3) == [1, 2, 3])
                try await store.withConnection { connection in
                    try await connection.query(
                        """
                        INSERT INTO asyncjobs.jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at,
                            run_after, started_at, finished_at, lease_token, lease_owner, lease_expires_at, result_key, result_size,
                            result_sha256, result_content_type, result_file_name, result_expired_at, request_fingerprint)
                        VALUES
                            ('queued', 't', 'demo.csv', '{}', 'queued', 0, 3, now(), now(), now() - interval '1 s',
                                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('lapsed', 't', 'demo.csv', '{}', 'running', 1, 3, now(), now(), now(),
                                now(), NULL, 'tok1', 'w', now() - interval '1 minute', NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('leased', 't', 'demo.csv', '{}', 'running', 1, 3, now(), now(), now(),
                                now(), NULL, 'tok2', 'w', now() + interval '1 hour', NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('stored', 't', 'demo.csv', '{}', 'succeeded', 1, 3, now(), now(), now(),
                                now(), now() - interval '2 days', NULL, NULL, NULL, 'k1', 1, 's', 'text/csv', 'a.csv', NULL, 'f'),
                            ('expired', 't', 'demo.csv', '{}', 'succeeded', 1, 3, now(), now(), now(),
                                now(), now() - interval '2 days', NULL, NULL, NULL, 'k2', 1, 's', 'text/csv', 'a.csv', now(), 'f'),
                            ('failed', 't', 'other', '{}', 'failed', 3, 3, now(), now(), now(),
                                now(), now() - interval '2 days', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('cancelled', 'u', 'demo.csv', '{}', 'cancelled', 0, 3, now(), now(), now(),
                                NULL, now() - interval '2 days', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('no-expiry', 'u', 'demo.csv', '{}', 'running', 1, 3, now(), now() - interval '1 hour', now(),
                                now(), NULL, 'tok3', 'w', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'f'),
                            ('no-finish', 'u', 'demo.csv', '{}', 'failed', 3, 3, now(), now() - interval '3 days', now(),
                                now(), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'f')
                        """,
                        logger: PostgresTestDatabase.logger
                    )
                }
                // A node starting on the old schema refuses to apply it and changes nothing; the
                // operator's `asyncjobs migrate`, with the nodes stopped, applies it.
                await #expect { try await store.migrate() } throws: { error in
                    (error as? PostgresStoreError)?.code == .nodesMustBeStopped
                }
                #expect(try await store.appliedMigrations() == [1, 2, 3])
                #expect(try await store.migrate(nodesStopped: true) == [4])
                #expect(try await StateTableCheck.problems(in: store) == [])

                let t = TenantID("t")
                func listed(_ states: Set<JobState>, type: String? = nil) async throws -> [String] {
                    try await store.jobs(JobQuery(tenantID: t, states: states, type: type)).jobs.map(\.id.rawValue)
                }
                #expect(try await listed([.running]) == ["leased", "lapsed"])
                #expect(try await listed([.succeeded, .failed]) == ["failed", "expired", "stored"])
                #expect(try await listed([.succeeded, .failed], type: "other") == ["failed"])
                #expect(try await listed([.cancelled]) == [], "another tenant's")
                #expect(try await store.countUnfinishedJobs(tenant: t, upTo: 10) == 3)

                // A running job without a lease expiry (hand-edited) got one, so the sweep finds it.
                let now = Date()
                #expect(try await store.requeueExpiredLeases(now: now) == 2)
                let claimed = try await store.claim(ClaimRequest(workerID: "w2", types: ["demo.csv"], limit: 10, leaseExpiry: now.addingTimeInterval(30), now: now))
                #expect(Set(claimed.map(\.job.id.rawValue)) == ["queued", "lapsed", "no-expiry"])
                #expect(try await store.expireResults(finishedBefore: now, limit: 10, now: now).map(\.id.rawValue) == ["stored"])
                let pruned = try await store.pruneFinishedJobs(endedBefore: now, limit: 10)
                #expect(Set(pruned.map(\.id.rawValue)) == ["stored", "expired", "failed", "cancelled", "no-finish"])
                #expect(try await StateTableCheck.problems(in: store) == [])
            }
        }
    }

    /// Rows lost, stale or left over (as a node of an older build would leave them) are counted
    /// without a lock, and the repair puts every job back where its state says.
    @Test func repairPutsEveryJobBackInItsStateTable() async throws {
        try await PostgresTestDatabase.withStore { store in
            let tenant = TenantID("t")
            var ids: [JobID] = []
            for _ in 0..<4 {
                ids.append(try await store.submit(NewJob(tenantID: tenant, type: "demo.csv", parameters: [:], maxAttempts: 3, now: Date())).job.id)
            }
            let claimed = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 1, leaseExpiry: Date().addingTimeInterval(30), now: Date()))
            let done = try #require(claimed.first)
            #expect(try await store.complete(done.lease, result: nil, itemErrors: 0, now: Date()))
            #expect(try await store.stateTableProblems() == 0)
            let unchanged = try await store.repairStateTables()
            #expect(unchanged == StateTableRepair(written: 0, removed: 0))

            try await store.withConnection { connection in
                let logger = PostgresTestDatabase.logger
                // A queued job lost its queue row, another got a lease row too, the finished one's
                // copy went stale, and a queue row has no job at all.
                try await connection.query("DELETE FROM asyncjobs.job_queue WHERE seq = (SELECT seq FROM asyncjobs.jobs WHERE id = \(ids[1].rawValue))", logger: logger)
                try await connection.query(
                    "INSERT INTO asyncjobs.job_leases SELECT seq, tenant_id, type, now() FROM asyncjobs.jobs WHERE id = \(ids[2].rawValue)",
                    logger: logger
                )
                try await connection.query("UPDATE asyncjobs.job_endings SET live_result = true", logger: logger)
                try await connection.query("INSERT INTO asyncjobs.job_queue VALUES (999999, 't', 'demo.csv', now())", logger: logger)
            }
            #expect(try await StateTableCheck.problems(in: store).count == 4)
            #expect(try await store.stateTableProblems() == 4)
            #expect(try await store.repairStateTables() == StateTableRepair(written: 2, removed: 2))
            #expect(try await StateTableCheck.problems(in: store) == [])
            #expect(try await store.stateTableProblems() == 0)
            let rest = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 10, leaseExpiry: Date().addingTimeInterval(30), now: Date()))
            #expect(rest.map(\.job.id) == Array(ids[1...3]), "the job that had lost its queue row is claimed again")
        }
    }

    /// The check the conformance runs after every case finds a job whose side row is missing or
    /// stale, so a statement that forgets to move a row fails the suite.
    @Test func theStateTableCheckFindsAMissingOrStaleRow() async throws {
        try await PostgresTestDatabase.withStore { store in
            let new = NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: [:], maxAttempts: 3, now: Date())
            _ = try await store.submit(new)
            #expect(try await StateTableCheck.problems(in: store) == [])
            try await store.withConnection { connection in
                try await connection.query("UPDATE asyncjobs.job_queue SET run_after = run_after + interval '1 s'", logger: PostgresTestDatabase.logger)
            }
            #expect(try await StateTableCheck.problems(in: store).count == 1)
            try await store.withConnection { connection in
                try await connection.query("DELETE FROM asyncjobs.job_queue", logger: PostgresTestDatabase.logger)
                try await connection.query(
                    "INSERT INTO asyncjobs.job_endings SELECT seq, tenant_id, type, 'failed', now(), false FROM asyncjobs.jobs",
                    logger: PostgresTestDatabase.logger
                )
            }
            let problems = try await StateTableCheck.problems(in: store)
            #expect(problems.count == 1)
            #expect(problems.first?.contains("queue row false") == true, "\(problems)")
            #expect(problems.first?.contains("ending row true") == true, "\(problems)")
        }
    }
}
