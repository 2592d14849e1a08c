import AsyncJobs
import AsyncJobsPostgres
import AsyncJobsTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@Suite(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipReason))
struct PostgresJobStoreTests {
    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        try await PostgresTestDatabase.withStore { store in
            try await JobStoreConformance { store }.run(check)
        }
    }

    @Test func concurrentNodesMigrateOnce() async throws {
        try await PostgresTestDatabase.withDatabase { configuration in
            let stores = try (0..<4).map { _ in try PostgresJobStore(configuration: configuration, logger: PostgresTestDatabase.logger) }
            try await withThrowingTaskGroup(of: Void.self) { running in
                for store in stores { running.addTask { try await store.run() } }
                defer { running.cancelAll() }
                let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for store in stores { group.addTask { try await store.migrate() } }
                    return try await group.reduce(into: [[Int]]()) { $0.append($1) }
                }
                let all = Array(1...PostgresJobStore.latestSchemaVersion)
                #expect(applied.filter { !$0.isEmpty } == [all], "one node applied the migrations, the others found them done")
                #expect(try await stores[1].appliedMigrations() == all)
            }
        }
    }

    @Test func aSchemaFromANewerBuildIsRefused() async throws {
        try await PostgresTestDatabase.withStore { store in
            try await raw(store, "INSERT INTO asyncjobs.schema_migrations (version, name) VALUES (999, 'from-the-future')")
            await #expect { try await store.migrate() } throws: { error in
                (error as? PostgresStoreError)?.code == .schemaTooNew
            }
        }
    }

    @Test func notificationsReachOtherNodes() async throws {
        try await PostgresTestDatabase.withStores(nodes: 2) { stores in
            let (listener, other) = (stores[0], stores[1])
            let changes = ChangeLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.followChanges { change in changes.record(change) } }
                defer { group.cancelAll() }
                // LISTEN takes effect a moment after the feed starts; submit until one is heard.
                try await eventually(timeout: .seconds(30), "a submission through the other node is announced") {
                    _ = try await other.submit(NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: [:], maxAttempts: 1, now: Date()))
                    try await Task.sleep(for: .milliseconds(50))
                    return changes.contains(.jobsQueued)
                }
                let claimed = try #require(try await other.claim(ClaimRequest(workerID: "w", types: nil, limit: 1, leaseExpiry: Date() + 60, now: Date())).first)
                guard case .cancelled(_, wasRunning: true) = try await other.cancel(claimed.job.id, tenant: TenantID("t"), now: Date()) else {
                    Issue.record("a running job can be cancelled")
                    return
                }
                try await eventually(timeout: .seconds(30), "the cancellation is announced") {
                    changes.contains(.cancelled(claimed.job.id))
                }
            }
        }
    }

    @Test func completionsWrittenTogetherAreFencedOneByOne() async throws {
        try await PostgresTestDatabase.withStore { store in
            let now = Date()
            for _ in 0..<40 {
                _ = try await store.submit(NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: [:], maxAttempts: 3, now: now))
            }
            let claimed = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 40, leaseExpiry: now + 60, now: now))
            #expect(claimed.count == 40)
            // Half the leases are stale (a token that was never current); all completions race.
            let outcomes = try await withThrowingTaskGroup(of: (JobID, Bool, Bool).self) { group in
                for (index, job) in claimed.enumerated() {
                    let stale = index % 2 == 1
                    var lease = job.lease
                    if stale { lease.token = "stale-" + lease.token }
                    group.addTask {
                        let result = JobResult(key: "t/\(job.job.id)/1/out.csv", size: Int64(index), sha256: "00", contentType: "text/csv", fileName: "out.csv")
                        return (job.job.id, stale, try await store.complete(lease, result: result, itemErrors: index, now: now + 1))
                    }
                }
                return try await group.reduce(into: [(JobID, Bool, Bool)]()) { $0.append($1) }
            }
            for (id, stale, tookEffect) in outcomes {
                #expect(tookEffect == !stale)
                let job = try #require(try await store.job(id, tenant: nil))
                #expect(job.state == (stale ? .running : .succeeded))
                if !stale {
                    #expect(job.result?.key == "t/\(id)/1/out.csv")
                    #expect(job.result?.size == Int64(job.itemErrors), "each job got its own row of the batch")
                }
            }
        }
    }

    @Test func indexesServeStatusListingAndClaimsAtScale() async throws {
        try await PostgresTestDatabase.withStore { store in
            // 300,000 jobs over 1,000 tenants, mostly finished, as after months of use.
            try await raw(
                store,
                """
                INSERT INTO asyncjobs.jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at,
                    run_after, finished_at, request_fingerprint)
                SELECT 'job-' || g, 'tenant-' || (g % 1000), 'demo.csv', '{}',
                    CASE WHEN g % 100 = 0 THEN 'queued' ELSE 'succeeded' END, 1, 3, now(), now(), now(),
                    CASE WHEN g % 100 = 0 THEN NULL ELSE now() END, 'f'
                FROM generate_series(1, 300000) AS g
                """
            )
            try await raw(store, "ANALYZE asyncjobs.jobs")
            let status = try await plan(store, "SELECT * FROM asyncjobs.jobs WHERE id = 'job-123456' AND tenant_id = 'tenant-456'")
            let listing = try await plan(store, "SELECT * FROM asyncjobs.jobs WHERE tenant_id = 'tenant-7' ORDER BY seq DESC LIMIT 51")
            let filtered = try await plan(
                store,
                "SELECT * FROM asyncjobs.jobs WHERE tenant_id = 'tenant-7' AND state = ANY('{queued}') ORDER BY seq DESC LIMIT 51"
            )
            let due = try await plan(
                store,
                "SELECT seq FROM asyncjobs.jobs WHERE state = 'queued' AND run_after <= now() ORDER BY run_after, seq LIMIT 8 FOR UPDATE SKIP LOCKED"
            )
            for (name, plan) in [("status", status), ("listing", listing), ("filtered listing", filtered), ("claim", due)] {
                #expect(!plan.contains("Seq Scan"), "\(name) must not scan the table:\n\(plan)")
                #expect(plan.contains("Index"), "\(name) uses an index:\n\(plan)")
            }
            #expect(status.contains("jobs_id_key"))
            #expect(listing.contains("jobs_by_tenant"))
            #expect(due.contains("jobs_due"))
        }
    }

    @Test func tlsIsUsedWhenTheURLAsksForIt() async throws {
        let authority = try #require(PostgresTestDatabase.certificateAuthority, "scripts/pg-cluster.sh exports ASYNCJOBS_TEST_POSTGRES_CA")
        let base = try #require(PostgresTestDatabase.url)
        for query in ["sslmode=require", "sslmode=verify-full&sslrootcert=\(authority)"] {
            let configuration = try PostgresStoreConfiguration(url: base + "?" + query)
            let store = try PostgresJobStore(configuration: configuration, logger: PostgresTestDatabase.logger)
            let ssl = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                return try await scalar(store, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            }
            #expect(ssl == "true", "\(query)")
        }
    }

    @Test func poolSizeAndStatementTimeoutReachTheServer() async throws {
        try await PostgresTestDatabase.withDatabase { base in
            var configuration = base
            configuration.statementTimeout = .milliseconds(1500)
            let store = try PostgresJobStore(configuration: configuration, logger: PostgresTestDatabase.logger)
            let timeout = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                await store.waitUntilRunning()
                return try await scalar(store, "SHOW statement_timeout")
            }
            #expect(timeout == "1500ms")
        }
    }

    @Test func anUnreachableServerIsAClearErrorNotAHang() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://nobody:secret-password@127.0.0.1:1/none?sslmode=disable")
        configuration.connectTimeout = .seconds(1)
        let store = try PostgresJobStore(configuration: configuration, logger: PostgresTestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            await store.waitUntilRunning()
            await #expect { try await store.checkConnection(timeout: .seconds(2)) } throws: { error in
                let text = "\(error)"
                return (error as? JobError)?.code == .storage && text.contains("127.0.0.1:1") && !text.contains("secret-password")
            }
        }
    }

    // MARK: Helpers

    /// Runs set-up SQL without the store's statement timeout (loading 300,000 rows takes a while on a busy machine).
    private func raw(_ store: PostgresJobStore, _ sql: String) async throws {
        _ = try await store.withConnection { connection in
            try await connection.query("SET statement_timeout = 0", logger: PostgresTestDatabase.logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger).collect()
            try await connection.query("RESET statement_timeout", logger: PostgresTestDatabase.logger)
            return rows.count
        }
    }

    private func scalar(_ store: PostgresJobStore, _ sql: String) async throws -> String? {
        try await store.withConnection { connection in
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger).decode(String.self) {
                return value
            }
            return nil
        }
    }

    private func plan(_ store: PostgresJobStore, _ sql: String) async throws -> String {
        try await store.withConnection { connection in
            var lines: [String] = []
            for try await line in try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + sql), logger: PostgresTestDatabase.logger).decode(String.self) {
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// The changes a feed delivered.
final class ChangeLog: Sendable {
    private let changes = Mutex<[JobChange]>([])

    func record(_ change: JobChange) {
        changes.withLock { $0.append(change) }
    }

    func contains(_ change: JobChange) -> Bool {
        changes.withLock { $0.contains(change) }
    }
}
