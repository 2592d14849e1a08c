import AsyncJobs
import AsyncJobsPostgres
import AsyncJobsTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipReason))
struct PostgresJobStoreTests {
    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        try await PostgresTestDatabase.withStore { store in
            try await JobStoreConformance { store }.run(check)
            #expect(try await StateTableCheck.problems(in: store) == [], "every job's row is in its state's side table")
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
            // 300,000 jobs over 1,000 tenants, mostly finished, as after months of use, each with the
            // row of its state's side table.
            try await raw(
                store,
                """
                INSERT INTO asyncjobs.jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at,
                    run_after, finished_at, request_fingerprint)
                SELECT 'job-' || g, 'tenant-' || (g % 1000), 'demo.csv', '{}',
                    CASE WHEN g % 100 = 0 THEN 'queued' WHEN g % 100 = 1 THEN 'running' ELSE 'succeeded' END, 1, 3, now(), now(), now(),
                    CASE WHEN g % 100 > 1 THEN now() END, 'f'
                FROM generate_series(1, 300000) AS g
                """
            )
            try await raw(store, "INSERT INTO asyncjobs.job_queue SELECT seq, tenant_id, type, run_after FROM asyncjobs.jobs WHERE state = 'queued'")
            try await raw(store, "INSERT INTO asyncjobs.job_leases SELECT seq, tenant_id, type, now() FROM asyncjobs.jobs WHERE state = 'running'")
            try await raw(
                store,
                "INSERT INTO asyncjobs.job_endings SELECT seq, tenant_id, type, state, finished_at, seq % 2 = 0 FROM asyncjobs.jobs WHERE state = 'succeeded'"
            )
            try await raw(store, "ANALYZE")
            // The statements' shapes as PostgresJobStore builds them.
            let plans = [
                ("status", "jobs_id_key", "SELECT * FROM asyncjobs.jobs WHERE id = 'job-123456' AND tenant_id = 'tenant-456'"),
                ("listing", "jobs_by_tenant", "SELECT * FROM asyncjobs.jobs WHERE tenant_id = 'tenant-7' ORDER BY seq DESC LIMIT 51"),
                (
                    "listing by state", "job_endings_by_tenant_state",
                    """
                    SELECT * FROM asyncjobs.jobs WHERE tenant_id = 'tenant-7' AND seq IN (
                        (SELECT seq FROM asyncjobs.job_queue WHERE tenant_id = 'tenant-7' ORDER BY seq DESC LIMIT 51)
                        UNION ALL (SELECT seq FROM asyncjobs.job_endings WHERE tenant_id = 'tenant-7' AND state = 'failed' ORDER BY seq DESC LIMIT 51)
                    ) ORDER BY seq DESC LIMIT 51
                    """
                ),
                (
                    "unfinished count", "job_queue_by_tenant",
                    "SELECT count(*) FROM (SELECT 1 FROM asyncjobs.job_queue WHERE tenant_id = 'tenant-7' LIMIT 100) AS queued"
                ),
                (
                    "claim", "job_queue_due",
                    "SELECT seq FROM asyncjobs.job_queue WHERE run_after <= now() ORDER BY run_after, seq LIMIT 8 FOR UPDATE SKIP LOCKED"
                ),
                ("lapsed leases", "job_leases_expiry", "SELECT seq FROM asyncjobs.job_leases WHERE expires_at < now() - interval '1 hour'"),
                (
                    "retention", "job_endings_finished",
                    "SELECT seq FROM asyncjobs.job_endings WHERE finished_at < now() - interval '1 hour' ORDER BY finished_at, seq LIMIT 500"
                ),
                (
                    "result expiry", "job_endings_live_results",
                    "SELECT seq FROM asyncjobs.job_endings WHERE live_result AND finished_at < now() - interval '1 hour' ORDER BY finished_at, seq LIMIT 500"
                ),
            ]
            for (name, index, sql) in plans {
                let plan = try await plan(store, sql)
                #expect(!plan.contains("Seq Scan"), "\(name) must not scan a table:\n\(plan)")
                #expect(plan.contains(index), "\(name) uses \(index):\n\(plan)")
            }
        }
    }

    /// Each state's page comes from its own side table; the listing is the newest of their union,
    /// page after page, with the type filter applied in every table.
    @Test func listingSeveralStatesPagesThroughTheirUnionNewestFirst() async throws {
        try await PostgresTestDatabase.withStore { store in
            let tenant = TenantID("t")
            var ids: [JobID] = []
            for n in 0..<9 {
                let type = n == 5 ? "other" : "demo.csv"
                ids.append(try await store.submit(NewJob(tenantID: tenant, type: type, parameters: [:], maxAttempts: 3, now: Date())).job.id)
            }
            let claimed = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 3, leaseExpiry: Date().addingTimeInterval(30), now: Date()))
            #expect(claimed.map(\.job.id) == Array(ids[0..<3]))
            for job in claimed.prefix(2) { #expect(try await store.complete(job.lease, result: nil, itemErrors: 0, now: Date())) }
            _ = try await store.cancel(ids[3], tenant: tenant, now: Date())

            func pages(type: String?) async throws -> [[JobID]] {
                var pages: [[JobID]] = []
                var cursor: String?
                repeat {
                    let page = try await store.jobs(JobQuery(tenantID: tenant, states: [.queued, .succeeded], type: type, limit: 2, cursor: cursor))
                    pages.append(page.jobs.map(\.id))
                    cursor = page.nextCursor
                } while cursor != nil && pages.count < 10
                return pages
            }
            #expect(try await pages(type: nil) == [[ids[8], ids[7]], [ids[6], ids[5]], [ids[4], ids[1]], [ids[0]]])
            #expect(try await pages(type: "demo.csv") == [[ids[8], ids[7]], [ids[6], ids[4]], [ids[1], ids[0]]])
            let running = try await store.jobs(JobQuery(tenantID: tenant, states: [.running, .cancelled]))
            #expect(running.jobs.map(\.id) == [ids[3], ids[2]])
        }
    }

    @Test func updatesOfAJobAreMadeInPlace() async throws {
        try await PostgresTestDatabase.withStore { store in
            // No index of the jobs table names a column these updates change, and each page has room
            // for the next version of a row (fillfactor): so PostgreSQL updates the rows in place.
            let jobs = (0..<200).map { n in
                NewJob(tenantID: TenantID("tenant"), type: "demo.csv", parameters: ["n": .number(Double(n))], maxAttempts: 3, now: Date())
            }
            _ = try await store.submit(jobs)
            for _ in jobs {
                let claimed = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 1, leaseExpiry: Date().addingTimeInterval(30), now: Date()))
                let job = try #require(claimed.first)
                #expect(try await store.heartbeat(job.lease, until: Date().addingTimeInterval(60), progress: nil, now: Date()) == .held)
                #expect(try await store.complete(job.lease, result: nil, itemErrors: 0, now: Date()))
            }
            // A claim, a heartbeat and a completion for each job. The statistics reach the view a
            // moment after the transactions that made them.
            var counts: (hot: Int64, all: Int64) = (0, 0)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while counts.all < 600, ContinuousClock.now < deadline {
                try await raw(store, "SELECT pg_stat_force_next_flush()")
                try await Task.sleep(for: .milliseconds(100))
                counts = try await store.withConnection { connection in
                    for try await pair in try await connection.query(
                        "SELECT n_tup_hot_upd, n_tup_upd FROM pg_stat_user_tables WHERE relid = 'asyncjobs.jobs'::regclass",
                        logger: PostgresTestDatabase.logger
                    ).decode((Int64, Int64).self) { return pair }
                    return (0, 0)
                }
            }
            #expect(counts.all == 600)
            // Alone on the server about 90 % are; with the whole suite running beside it, about 80 %.
            // Schema v3 made none.
            #expect(Double(counts.hot) >= 0.5 * Double(counts.all), "\(counts.hot) of \(counts.all) updates were HOT")

            // What makes it possible: the jobs table's indexes name only columns no update changes.
            let definitions = try await store.withConnection { connection in
                var definitions: [String] = []
                for try await definition in try await connection.query(
                    "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'asyncjobs.jobs'::regclass",
                    logger: PostgresTestDatabase.logger
                ).decode(String.self) { definitions.append(definition) }
                return definitions
            }
            #expect(definitions.count == 4, "\(definitions)")
            let immutable: Set<String> = ["seq", "id", "tenant_id", "idempotency_key"]
            for definition in definitions {
                let columns = definition.split(separator: "(", maxSplits: 1).last.map { $0.dropLast() } ?? ""
                let names = Set(columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(names.isSubset(of: immutable) && !definition.contains(" WHERE "), "\(definition)")
            }
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
