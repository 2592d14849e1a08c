import AsyncJobs
@testable import AsyncJobsSQLite
import AsyncJobsTestSupport
import Foundation
import GRDB
import Testing

/// The jobs table's schema: what the migrations do to databases already in use, and what the
/// single writer's statements cost SQLite.
@Suite struct SQLiteSchemaTests {
    /// A database as release 4 of the schema left it: one job in every state, with every column
    /// that can hold something holding something, and the newest job deleted.
    private static func makeVersion4Database(at path: String) throws {
        let database = try DatabasePool(path: path)
        try SQLiteJobStore.migrator.migrate(database, upTo: "v4-result-expiry")
        try database.write { db in
            let insert = """
                INSERT INTO jobs (id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at,
                    run_after, started_at, finished_at, lease_token, lease_owner, lease_expires_at, progress, eta_seconds,
                    progress_at, error_code, error_message, result_key, result_size, result_sha256, result_content_type,
                    result_file_name, item_errors, idempotency_key, request_fingerprint, result_expired_at)
                VALUES (?, 't', 'demo.csv', '{"rows":1}', ?, ?, 3, 10, 20, 10, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'fp', ?)
                """
            let rows: [StatementArguments] = [
                ["job-queued", "queued", 0, nil, nil, nil, nil, nil, 0, nil, nil, nil, nil, nil, nil, nil, nil, nil, 0, "key-1", nil],
                ["job-running", "running", 1, 11, nil, "token", "worker", 50, 40, 12, 13, nil, nil, nil, nil, nil, nil, nil, 0, nil, nil],
                ["job-succeeded", "succeeded", 1, 11, 15, nil, nil, nil, 100, 0, 15, nil, nil, "results/a", 42, "ab12", "text/csv", "a.csv", 2, "key-2", nil],
                ["job-expired", "succeeded", 2, 11, 16, nil, nil, nil, 100, 0, 16, nil, nil, "results/b", 7, "cd34", "text/csv", "b.csv", 0, nil, 30],
                ["job-failed", "failed", 3, 11, 17, nil, nil, nil, 60, nil, 14, "handler_failed", "boom", nil, nil, nil, nil, nil, 0, nil, nil],
                ["job-cancelled", "cancelled", 0, nil, 18, nil, nil, nil, 0, nil, nil, "cancelled", "by the client", nil, nil, nil, nil, nil, 0, nil, nil],
                ["job-deleted", "queued", 0, nil, nil, nil, nil, nil, 0, nil, nil, nil, nil, nil, nil, nil, nil, nil, 0, nil, nil],
            ]
            for arguments in rows {
                try db.execute(sql: insert, arguments: arguments)
            }
            try db.execute(sql: "DELETE FROM jobs WHERE id = 'job-deleted'")
        }
        try database.close()
    }

    private static func allJobRows(_ db: Database) throws -> [[DatabaseValue]] {
        try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY seq").map { Array($0.databaseValues) }
    }

    /// Each index of the jobs table by name, with its CREATE statement (nil for SQLite's own
    /// indexes of UNIQUE constraints), the whitespace of the statement folded.
    private static func jobIndexes(_ db: Database) throws -> [String: String?] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'")
        return Dictionary(uniqueKeysWithValues: rows.map { row in
            let sql: String? = row["sql"]
            return (row["name"] as String, sql.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") })
        })
    }

    @Test func version5KeepsEveryJobAndEveryIndexOfAVersion4Database() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        try Self.makeVersion4Database(at: path)
        let (rowsBefore, indexesBefore, deletedSeq) = try await DatabaseQueue(path: path).read { db in
            (try Self.allJobRows(db), try Self.jobIndexes(db), try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'jobs'"))
        }
        #expect(rowsBefore.count == 6)
        #expect(indexesBefore.count == 8)

        let store = try SQLiteJobStore(path: path)
        #expect(try await store.appliedMigrations().last == "v5-state-tests-without-in-lists")
        let (rowsAfter, indexesAfter) = try await store.database.read { db in (try Self.allJobRows(db), try Self.jobIndexes(db)) }
        #expect(rowsAfter.count == rowsBefore.count)
        for (before, after) in zip(rowsBefore, rowsAfter) {
            #expect(before == after)
        }
        // Every index is as it was, but for the finished-jobs predicate, which compares instead of IN.
        var expected = indexesBefore
        expected["jobs_finished"] = "CREATE INDEX jobs_finished ON jobs (finished_at, seq) WHERE (state = 'succeeded' OR state = 'failed' OR state = 'cancelled')"
        #expect(indexesAfter == expected)
        #expect(indexesBefore["jobs_finished"] == "CREATE INDEX jobs_finished ON jobs (finished_at, seq) WHERE state IN ('succeeded', 'failed', 'cancelled')")

        // The deleted job's number is not handed out again.
        let submitted = try await store.submit(NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: [:], maxAttempts: 1, now: Date()))
        let newSeq = try await store.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM jobs WHERE id = ?", arguments: [submitted.job.id.rawValue])
        }
        #expect(try #require(newSeq) > #require(deletedSeq))

        // The migrated jobs behave as jobs: the idempotency key still decides, the queued one is
        // claimed, the finished ones are pruned through the rebuilt index.
        let replay = try await store.submit(
            NewJob(tenantID: TenantID("t"), type: "demo.csv", parameters: ["rows": 1], maxAttempts: 3, idempotencyKey: "key-1", requestFingerprint: "fp", now: Date())
        )
        #expect(replay.created == false)
        #expect(replay.job.id == JobID("job-queued"))
        let claimed = try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: 10, leaseExpiry: Date() + 60, now: Date()))
        #expect(Set(claimed.map(\.job.id)) == [JobID("job-queued"), submitted.job.id])
        let pruned = try await store.pruneFinishedJobs(endedBefore: Date(), limit: 10)
        #expect(Set(pruned.map(\.id.rawValue)) == ["job-succeeded", "job-expired", "job-failed", "job-cancelled"])
    }

    @Test func twoProcessesUpgradingOneFileAtOnceBothOpenIt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        try Self.makeVersion4Database(at: path)
        // Enough jobs that the rebuild takes a while: both stores read "v4" before either has finished.
        let database = try DatabasePool(path: path)
        try await database.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
                    INSERT INTO jobs (id, tenant_id, type, parameters, state, max_attempts, created_at, updated_at, run_after, request_fingerprint)
                    SELECT 'bulk-' || i, 't', 'demo.csv', '{}', 'succeeded', 1, 1, 1, 1, 'fp' FROM n
                    """
            )
        }
        try database.close()
        // Two stores stand for two processes: each has its own connections and its own migrator.
        let opened = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<2 {
                group.addTask { try await SQLiteJobStore(path: path).appliedMigrations() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(opened.count == 2)
        #expect(opened.allSatisfy { $0.last == "v5-state-tests-without-in-lists" })
        let count = try await DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs") }
        #expect(count == 30_006)
    }

    @Test func theStateConstraintStillRefusesAnUnknownState() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite")
        let id = try await store.submit(NewJob(tenantID: TenantID("t"), type: "x", parameters: [:], maxAttempts: 1, now: Date())).job.id
        let error = await #expect(throws: DatabaseError.self) {
            try await store.database.write { db in
                try db.execute(sql: "UPDATE jobs SET state = 'paused' WHERE id = ?", arguments: [id.rawValue])
            }
        }
        #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_CHECK)
        #expect(try await store.job(id, tenant: nil)?.state == .queued)
    }

    @Test func retentionReadsTheFinishedJobsIndexOnAnUpgradedDatabase() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/jobs.sqlite"
        try Self.makeVersion4Database(at: path)
        let store = try SQLiteJobStore(path: path)
        let plan = try await store.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteJobStore.pruneSQL, arguments: [0, 1]).map { $0["detail"] as String }
        }
        #expect(plan.joined(separator: "; ").contains("USING INDEX jobs_finished"), "\(plan)")
    }

    /// SQLite runs a constant `IN` list of more than two values through an ephemeral b-tree opened
    /// on every execution; the writer's per-job statements must not need one.
    @Test(arguments: [
        ("insert", SQLiteJobStore.insertSQL),
        ("completion", SQLiteJobStore.completionSQL),
        ("failure", SQLiteJobStore.failureSQL),
        ("retry", SQLiteJobStore.retrySQL),
        ("release", SQLiteJobStore.releaseSQL),
    ])
    func perJobStatementsOpenNoEphemeralTable(_ name: String, _ sql: String) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteJobStore(path: directory.path + "/jobs.sqlite")
        let opcodes = try await store.database.read { db in
            let parameters = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
            return try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: parameters).map { $0["opcode"] as String }
        }
        #expect(opcodes.contains("Insert") || opcodes.contains("IdxInsert"), "\(name): not the statement meant")
        #expect(!opcodes.contains("OpenEphemeral"), "\(name)")
    }
}
