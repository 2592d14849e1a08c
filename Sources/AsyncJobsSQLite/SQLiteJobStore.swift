public import AsyncJobs
public import Foundation
import GRDB

/// A ``JobStore``, ``TenantStore`` and ``PassportStore`` in one SQLite file, for a single machine.
///
/// The database runs in WAL mode. Every write but a claim is on disk when the call that made it
/// returns: a job when ``submit(_:)`` returns, so the 202 a client receives survives a crash of the
/// process or of the machine. Other processes (the `tenant create` command, a separate `worker`) may
/// open the same file.
///
/// SQLite has a single writer. So that it never stands idle while the disk works, its connection
/// commits without waiting for the disk (`synchronous=NORMAL`), and each caller then waits for a
/// sync of the write-ahead log (an `fdatasync` of the `-wal` file) that began after its commit
/// before it returns. Meanwhile the writer runs the next transaction; a worker may already be
/// claiming the job just submitted (the store reports submissions through ``followChanges(_:)`` as
/// they commit). Concurrent single submissions share a transaction, and so do concurrent
/// completions; callers that arrive while the log is being synced share the next sync. A commit is
/// therefore visible to other connections shortly before it is on disk; `docs/RELIABILITY.md`
/// says what that means on power loss. Claims wait for no sync (see ``claim(_:)``).
///
/// ```swift
/// let store = try SQLiteJobStore(path: dataDirectory + "/asyncjobs.sqlite")
/// ```
public final class SQLiteJobStore: JobStore, TenantStore, PassportStore {
    let database: DatabasePool
    /// Submissions share transactions; each waits for ``logSyncs`` after its commit.
    private let submissions: GroupCommit<NewJob, Result<Submission, any Error>>
    /// The arguments of ``completionSQL``, one finished job each; each waits for ``logSyncs``.
    private let completions: GroupCommit<StatementArguments, Bool>
    /// What every write but a claim waits for after its commit.
    private let logSyncs: LogSyncs
    /// Those following ``followChanges(_:)``.
    let changeListeners: JobChangeListeners
    /// Idle worker pools of this process, to which submissions hand their jobs.
    let waitingClaims: WaitingClaims

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// - Parameters:
    ///   - path: The database file.
    ///   - busyTimeout: How long a write waits for another process's write to finish.
    public convenience init(path: String, busyTimeout: TimeInterval = 10) throws {
        try self.init(path: path, busyTimeout: busyTimeout, syncLog: nil)
    }

    /// Opens the store with `syncLog` in place of the sync of the write-ahead log, so that a test
    /// can hold a sync back or make it fail; `nil` syncs the log.
    package init(path: String, busyTimeout: TimeInterval = 10, syncLog: (@Sendable () async throws -> Void)?) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "asyncjobs"
        // Until the log is open for syncing, every commit (the migrations) waits for the disk itself.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let database: DatabasePool
        let logPath: String
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try MigrationLock.withLock(beside: path) { try Self.migrator.migrate(database) }
            // SQLite's own name for the file, symbolic links resolved: the log lies beside it.
            logPath = try database.read { db in
                try String.fetchOne(db, sql: "SELECT file FROM pragma_database_list WHERE name = 'main'") ?? path
            } + "-wal"
            // From here on the writer's commits leave the sync to ``logSyncs``. The setting is the
            // connection's for good: no write toggles it, so none can leave it wrong.
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        } catch {
            throw JobError(.storage, "cannot open the SQLite database at \(path)", underlying: error)
        }
        self.database = database
        let sync: @Sendable () async throws -> Void
        if let syncLog {
            sync = syncLog
        } else {
            let log = try WALFile(path: logPath)
            sync = { try await log.sync() }
        }
        logSyncs = LogSyncs(sync: sync)
        let listeners = JobChangeListeners()
        changeListeners = listeners
        let waitingClaims = WaitingClaims()
        self.waitingClaims = waitingClaims
        // A failure of one job (a reused idempotency key) is that job's outcome; the others commit.
        submissions = GroupCommit { batch in
            // Encoded before the write: the single writer holds the database for the inserts only.
            let arguments = batch.map(Self.insertArguments)
            return try await database.writeWithoutTransaction { db in
                try Self.submitting(handingOverTo: waitingClaims, notifying: listeners, db) {
                    let submissions = zip(batch, arguments).map { new, arguments in Result { try Self.insert(new, arguments: arguments, db) } }
                    let created = zip(batch, submissions).compactMap { new, submission in (try? submission.get())?.created == true ? new.type : nil }
                    return (submissions, Set(created))
                }
            }
        }
        completions = GroupCommit { batch in
            try await database.writeWithoutTransaction { db in
                try Self.transaction(db) { try batch.map { try Self.writeCompletion($0, db) } }
            }
        }
    }

    /// Callers waiting for the next sync of the write-ahead log, for tests that need them queued.
    package var logSyncsWaiting: Int { logSyncs.waitingCount }

    /// Runs `updates` in a transaction, then waits until it is on disk: every write but a claim.
    func durableWrite<Value: Sendable>(_ updates: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        let value = try await database.write(updates)
        try await logSyncs.waitForDisk()
        return value
    }

    /// The schema versions applied so far, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await database.read { db in try Self.migrator.appliedIdentifiers(db).sorted() }
    }

    // MARK: JobStore

    public func submit(_ new: NewJob) async throws -> Submission {
        let outcome = try await submissions.submit(new)
        // Also for a replay or a reused key: the job found may have committed a moment ago and not
        // be on disk yet.
        try await logSyncs.waitForDisk()
        return try outcome.get()
    }

    public func submit(_ jobs: [NewJob]) async throws -> [Submission] {
        let arguments = jobs.map(Self.insertArguments)
        let listeners = changeListeners
        let waitingClaims = self.waitingClaims
        let submissions = try await database.writeWithoutTransaction { db in
            try Self.submitting(handingOverTo: waitingClaims, notifying: listeners, db) {
                let submissions = try zip(jobs, arguments).map { try Self.insert($0, arguments: $1, db) }
                return (submissions, Set(zip(jobs, submissions).compactMap { new, submission in submission.created ? new.type : nil }))
            }
        }
        try await logSyncs.waitForDisk()
        return submissions
    }

    /// Runs `inserts` in a transaction that also claims due jobs for the idle worker pools of this
    /// process whose offers include a type of a created job, then passes the claimed jobs on and
    /// reports the submission. `inserts` returns its result and the types of the jobs it created.
    static func submitting<Value>(
        handingOverTo waitingClaims: WaitingClaims,
        notifying listeners: JobChangeListeners,
        _ db: Database,
        _ inserts: () throws -> (Value, created: Set<String>)
    ) throws -> Value {
        let offers = waitingClaims.open
        var handOver = HandOver()
        let value: Value
        let created: Set<String>
        do {
            (value, created) = try transaction(db) {
                let (value, created) = try inserts()
                if !created.isEmpty && !offers.isEmpty {
                    // A claim that fails by itself (a row it cannot read) must not cost the
                    // submission: the pool's own claim meets the same error and reports it. An error
                    // that aborts the whole transaction fails the submission, as it would anyway.
                    do {
                        try db.inSavepoint {
                            try handOver.claim(forCreated: created, offers: offers, db)
                            return .commit
                        }
                    } catch {
                        handOver.abandon()
                    }
                }
                return (value, created)
            }
        } catch {
            handOver.settle(committed: false)
            throw error
        }
        handOver.settle(committed: true)
        if !created.isEmpty { listeners.notify(.jobsQueued) }
        return value
    }

    /// The arguments of the insert, parameters encoded, built before the single writer is taken.
    static func insertArguments(_ new: NewJob) -> StatementArguments {
        let now = new.now.timeIntervalSince1970
        return [
            new.id.rawValue, new.tenantID.rawValue, new.type, JSONValue.object(new.parameters).canonicalJSON(), new.maxAttempts,
            now, now, now, new.idempotencyKey, new.requestFingerprint,
        ]
    }

    /// The insert of a new job, with ``insertArguments(_:)``.
    static let insertSQL = """
        INSERT INTO jobs (id, tenant_id, type, parameters, state, attempt, max_attempts,
            created_at, updated_at, run_after, idempotency_key, request_fingerprint)
        VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts a job with its ``insertArguments(_:)``, or finds the job its idempotency key already
    /// names, inside the caller's transaction.
    static func insert(_ new: NewJob, arguments: StatementArguments, _ db: Database) throws -> Submission {
        do {
            try db.cachedStatement(sql: insertSQL).execute(arguments: arguments)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && new.idempotencyKey != nil {
            // The unique index on (tenant, key) decided: this is a replay. SQLite serialises writers,
            // so the row that won is visible inside this transaction.
            let row = try Row.fetchOne(
                db,
                sql: "SELECT \(Self.jobColumns), request_fingerprint FROM jobs WHERE tenant_id = ? AND idempotency_key = ?",
                arguments: [new.tenantID.rawValue, new.idempotencyKey]
            )
            guard let row else { throw error }
            let job = try Self.job(from: row)
            guard row[Self.jobColumnCount] as String? == new.requestFingerprint else {
                throw JobError(
                    .idempotencyKeyReused,
                    "Idempotency-Key '\(new.idempotencyKey ?? "")' was already used for a different request",
                    jobID: job.id
                )
            }
            return Submission(job: job, created: false)
        }
        return Submission(job: new.queuedJob, created: true)
    }

    public func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE tenant_id = ? AND state IN ('queued', 'running') LIMIT ?)",
                arguments: [tenant.rawValue, limit]
            ) ?? 0
        }
    }

    public func job(_ id: JobID, tenant: TenantID?) async throws -> Job? {
        try await database.read { db in
            // The status route's one query, run for every poll: a cached statement is compiled (and
            // checked by GRDB's authorizer) once per connection instead of once per request.
            let row: Row?
            if let tenant {
                row = try Row.fetchOne(db.cachedStatement(sql: Self.jobOfTenantSQL), arguments: [id.rawValue, tenant.rawValue])
            } else {
                row = try Row.fetchOne(db.cachedStatement(sql: Self.jobSQL), arguments: [id.rawValue])
            }
            return try row.map(Self.job(from:))
        }
    }

    public func jobs(_ query: JobQuery) async throws -> JobPage {
        var sql = "SELECT \(Self.jobColumns), seq FROM jobs WHERE tenant_id = ?"
        var arguments: StatementArguments = [query.tenantID.rawValue]
        if let cursor = query.cursor {
            guard let sequence = Int64(cursor) else {
                throw JobError(.invalidParameters, "the cursor is not one this server issued", field: "cursor")
            }
            sql += " AND seq < ?"
            _ = arguments.append(contentsOf: [sequence])
        }
        if !query.states.isEmpty {
            sql += " AND state IN (\(Array(repeating: "?", count: query.states.count).joined(separator: ",")))"
            _ = arguments.append(contentsOf: StatementArguments(query.states.map(\.rawValue).sorted()))
        }
        if let type = query.type {
            sql += " AND type = ?"
            _ = arguments.append(contentsOf: [type])
        }
        sql += " ORDER BY seq DESC LIMIT ?"
        let limit = max(1, query.limit)
        _ = arguments.append(contentsOf: [limit + 1])
        let finalSQL = sql
        let finalArguments = arguments
        return try await database.read { db in
            let rows = try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments)
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { String($0[Self.jobColumnCount] as Int64) } : nil
            return JobPage(jobs: try page.map(Self.job(from:)), nextCursor: next)
        }
    }

    public func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
        guard request.limit > 0, request.types?.isEmpty != true else { return [] }
        // A claim waits for no sync: the log is synced for the next write that does, at the latest
        // the handler's completion. A crash of the process loses nothing; a power cut can forget
        // only the newest claims, whose jobs are then queued again and run again, which
        // at-least-once delivery allows, and whose old leases no longer match, so nothing they
        // write is kept. It saves one fsync between a submission and the start of its handler.
        return try await database.writeWithoutTransaction { db in try Self.claimJobs(request, db) }
    }

    /// Claims for `request` inside the caller's write: one statement picks the oldest due jobs and
    /// leases them, each with its own random token.
    static func claimJobs(_ request: ClaimRequest, _ db: Database) throws -> [ClaimedJob] {
        guard request.limit > 0 else { return [] }
        var filter = ""
        var arguments: StatementArguments = [
            request.workerID, request.leaseExpiry.timeIntervalSince1970, request.now.timeIntervalSince1970,
            request.now.timeIntervalSince1970, request.now.timeIntervalSince1970,
        ]
        if let types = request.types {
            guard !types.isEmpty else { return [] }
            filter = " AND type IN (\(Array(repeating: "?", count: types.count).joined(separator: ",")))"
            _ = arguments.append(contentsOf: StatementArguments(types))
        }
        _ = arguments.append(contentsOf: [request.limit])
        let sql = """
            UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_token = lower(hex(randomblob(16))),
                lease_owner = ?, lease_expires_at = ?, started_at = ?, updated_at = ?,
                progress = 0, eta_seconds = NULL, progress_at = NULL
            WHERE seq IN (
                SELECT seq FROM jobs WHERE state = 'queued' AND run_after <= ?\(filter)
                ORDER BY run_after, seq LIMIT ?
            )
            RETURNING \(Self.jobColumns), lease_token
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let job = try Self.job(from: row)
            return ClaimedJob(job: job, lease: Lease(jobID: job.id, token: row[Self.jobColumnCount], attempt: job.attempt))
        }
        .sorted { ($0.job.runAfter, $0.job.createdAt) < ($1.job.runAfter, $1.job.createdAt) }
    }

    public func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        try await durableWrite { db in
            if let progress {
                try db.execute(
                    sql: """
                        UPDATE jobs SET lease_expires_at = ?, updated_at = ?, progress = ?, eta_seconds = ?, progress_at = ?
                        WHERE id = ? AND state = 'running' AND lease_token = ?
                        """,
                    arguments: [
                        expiry.timeIntervalSince1970, now.timeIntervalSince1970, progress.percent,
                        progress.estimatedSecondsRemaining, progress.updatedAt?.timeIntervalSince1970,
                        lease.jobID.rawValue, lease.token,
                    ]
                )
            } else {
                try db.execute(
                    sql: "UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_token = ?",
                    arguments: [expiry.timeIntervalSince1970, now.timeIntervalSince1970, lease.jobID.rawValue, lease.token]
                )
            }
            if db.changesCount == 1 { return .held }
            let state = try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [lease.jobID.rawValue])
            return .lost(state.flatMap(JobState.init(rawValue:)))
        }
    }

    public func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        // Built here, not in the batch's write: the single writer holds the database for the updates only.
        let seconds = now.timeIntervalSince1970
        let completed = try await completions.submit([
            seconds, seconds, seconds, result?.key, result?.size, result?.sha256, result?.contentType, result?.fileName, itemErrors,
            lease.jobID.rawValue, lease.token,
        ])
        try await logSyncs.waitForDisk()
        return completed
    }

    /// Marks one job of a completion batch succeeded (``completionSQL`` with `arguments`), only while
    /// its lease is current.
    static func writeCompletion(_ arguments: StatementArguments, _ db: Database) throws -> Bool {
        try db.cachedStatement(sql: completionSQL).execute(arguments: arguments)
        return db.changesCount == 1
    }

    public func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool {
        if let retryAt {
            return try await updateHeld(
                lease,
                sql: Self.retrySQL,
                arguments: [retryAt.timeIntervalSince1970, now.timeIntervalSince1970, failure.code, failure.message]
            )
        }
        return try await updateHeld(
            lease,
            sql: Self.failureSQL,
            arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, failure.code, failure.message]
        )
    }

    public func release(_ lease: Lease, now: Date) async throws -> Bool {
        try await updateHeld(
            lease,
            sql: Self.releaseSQL,
            arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970]
        )
    }

    /// Runs `sql`, one of the ``heldUpdate(set:)`` statements, with `arguments` followed by the lease's
    /// job id and token: it changes the job only while `lease` is its current lease, and ends the lease.
    private func updateHeld(_ lease: Lease, sql: String, arguments: StatementArguments) async throws -> Bool {
        var all = arguments
        _ = all.append(contentsOf: [lease.jobID.rawValue, lease.token])
        let finalArguments = all
        return try await durableWrite { db in
            try db.cachedStatement(sql: sql).execute(arguments: finalArguments)
            return db.changesCount == 1
        }
    }

    /// A failed attempt that will be retried at `run_after`.
    static let retrySQL = heldUpdate(set: "state = 'queued', run_after = ?, updated_at = ?, error_code = ?, error_message = ?")
    /// A failed attempt that was the job's last.
    static let failureSQL = heldUpdate(set: "state = 'failed', finished_at = ?, updated_at = ?, error_code = ?, error_message = ?")
    /// An attempt handed back unfinished (graceful shutdown), due again at once.
    static let releaseSQL = heldUpdate(set: "state = 'queued', run_after = ?, updated_at = ?")

    /// Built once: the completion batch looks its statement up by this text for every job.
    static let completionSQL = heldUpdate(
        set: """
            state = 'succeeded', finished_at = ?, updated_at = ?, progress = 100, eta_seconds = 0, progress_at = ?,
            result_key = ?, result_size = ?, result_sha256 = ?, result_content_type = ?, result_file_name = ?,
            item_errors = ?, error_code = NULL, error_message = NULL
            """
    )

    /// The statement that applies `set` to a job (arguments: those of `set`, then the job id and the
    /// lease token) only while the lease is its current one, and ends the lease.
    static func heldUpdate(set: String) -> String {
        """
        UPDATE jobs SET \(set), lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = ? AND state = 'running' AND lease_token = ?
        """
    }

    public func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome {
        try await durableWrite { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.jobOfTenantSQL), arguments: [id.rawValue, tenant.rawValue])
            else { return .notFound }
            var job = try Self.job(from: row)
            switch job.state {
            case .cancelled: return .cancelled(job, wasRunning: false)
            case .succeeded, .failed: return .alreadyTerminal(job)
            case .queued, .running:
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'cancelled', finished_at = ?, updated_at = ?,
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ?
                        """,
                    arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id.rawValue]
                )
                let wasRunning = job.state == .running
                job.state = .cancelled
                job.finishedAt = now
                job.updatedAt = now
                return .cancelled(job, wasRunning: wasRunning)
            }
        }
    }

    public func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome {
        try await durableWrite { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.jobOfTenantSQL), arguments: [id.rawValue, tenant.rawValue])
            else { return .notFound }
            let job = try Self.job(from: row)
            guard job.state.isTerminal else { return .notTerminal(job) }
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id.rawValue])
            return .deleted(job)
        }
    }

    public func requeueExpiredLeases(now: Date) async throws -> Int {
        try await durableWrite { db in
            // Jobs whose lapsed attempt was their last fail, with the same failure every store records.
            let exhausted = try Row.fetchAll(
                db,
                sql: "SELECT id, attempt FROM jobs WHERE state = 'running' AND lease_expires_at < ? AND attempt >= max_attempts",
                arguments: [now.timeIntervalSince1970]
            )
            for row in exhausted {
                let failure = JobFailure.leaseExpired(attempts: row["attempt"])
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'failed', finished_at = ?1, updated_at = ?1, error_code = ?2, error_message = ?3,
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ?4
                        """,
                    arguments: [now.timeIntervalSince1970, failure.code, failure.message, row["id"] as String]
                )
            }
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'queued', run_after = ?1, updated_at = ?1,
                        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                    WHERE state = 'running' AND lease_expires_at < ?1
                    """,
                arguments: [now.timeIntervalSince1970]
            )
            return exhausted.count + db.changesCount
        }
    }

    public func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job] {
        guard limit > 0 else { return [] }
        return try await durableWrite { db in
            try Row.fetchAll(db, sql: Self.pruneSQL, arguments: [cutoff.timeIntervalSince1970, limit]).map(Self.job(from:))
        }
    }

    /// Deletes the oldest finished jobs (arguments: the cutoff, the limit), through the
    /// `jobs_finished` index, whose predicate it repeats word for word.
    static let pruneSQL = """
        DELETE FROM jobs WHERE seq IN (
            SELECT seq FROM jobs WHERE \(finishedStatePredicate) AND finished_at < ?
            ORDER BY finished_at, seq LIMIT ?
        )
        RETURNING \(jobColumns)
        """

    public func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job] {
        guard limit > 0 else { return [] }
        return try await durableWrite { db in
            try Row.fetchAll(
                db,
                sql: """
                    UPDATE jobs SET result_expired_at = ?, updated_at = ? WHERE seq IN (
                        SELECT seq FROM jobs
                        WHERE state = 'succeeded' AND result_key IS NOT NULL AND result_expired_at IS NULL AND finished_at < ?
                        ORDER BY finished_at, seq LIMIT ?
                    )
                    RETURNING \(Self.jobColumns)
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, cutoff.timeIntervalSince1970, limit]
            )
            .map(Self.job(from:))
            .sorted { ($0.finishedAt ?? $0.updatedAt) < ($1.finishedAt ?? $1.updatedAt) }
        }
    }

    // MARK: TenantStore

    public func createTenant(_ tenant: Tenant, apiKeyHash: String, client: OAuthClient) async throws {
        try await durableWrite { db in
            do {
                try db.execute(
                    sql: "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                    arguments: [tenant.id.rawValue, tenant.name, tenant.createdAt.timeIntervalSince1970]
                )
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw JobError(.tenantExists, "a tenant named '\(tenant.name)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO api_keys (key_hash, tenant_id, created_at) VALUES (?, ?, ?)",
                arguments: [apiKeyHash, tenant.id.rawValue, tenant.createdAt.timeIntervalSince1970]
            )
            try db.execute(
                sql: "INSERT INTO oauth_clients (client_id, secret_hash, tenant_id, created_at) VALUES (?, ?, ?, ?)",
                arguments: [client.clientID, client.secretHash, tenant.id.rawValue, tenant.createdAt.timeIntervalSince1970]
            )
        }
    }

    public func tenant(named name: String) async throws -> Tenant? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tenants WHERE name = ?", arguments: [name]).map { row in
                Tenant(id: TenantID(row["id"] as String), name: row["name"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func tenantCount() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tenants") ?? 0 }
    }

    public func tenantID(forAPIKeyHash hash: String) async throws -> TenantID? {
        try await database.read { db in
            let id = try String.fetchOne(db, sql: "SELECT tenant_id FROM api_keys WHERE key_hash = ?", arguments: [hash])
            return id.map { TenantID($0) }
        }
    }

    public func client(id: String) async throws -> OAuthClient? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM oauth_clients WHERE client_id = ?", arguments: [id]).map { row in
                OAuthClient(clientID: row["client_id"], secretHash: row["secret_hash"], tenantID: TenantID(row["tenant_id"] as String))
            }
        }
    }

    public func secret(named name: String, orInsert candidate: String) async throws -> String {
        try await durableWrite { db in
            try db.execute(sql: "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)", arguments: [name, candidate])
            return try String.fetchOne(db, sql: "SELECT value FROM secrets WHERE name = ?", arguments: [name])!
        }
    }

    // MARK: PassportStore

    public func createPassportToken(_ token: PassportToken) async throws {
        try await durableWrite { db in
            try db.execute(
                sql: "INSERT INTO passport_tokens (token_id, consumer_key, account, tenant_id, sealed_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token.tokenID, token.consumerKey, token.account, token.tenantID.rawValue, token.sealedKey, token.createdAt.timeIntervalSince1970]
            )
        }
    }

    public func passportToken(id: String) async throws -> PassportToken? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM passport_tokens WHERE token_id = ?", arguments: [id]).map { row in
                PassportToken(
                    tokenID: row["token_id"],
                    consumerKey: row["consumer_key"],
                    account: row["account"],
                    tenantID: TenantID(row["tenant_id"] as String),
                    sealedKey: row["sealed_key"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"])
                )
            }
        }
    }

    public func useNonce(_ nonce: String, consumerKey: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await durableWrite { db in
            // The primary key decides; a record that has expired is taken over.
            try db.execute(
                sql: """
                    INSERT INTO passport_nonces (consumer_key, nonce, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (consumer_key, nonce) DO UPDATE SET expires_at = excluded.expires_at
                        WHERE passport_nonces.expires_at < ?
                    """,
                arguments: [consumerKey, nonce, expiresAt.timeIntervalSince1970, now.timeIntervalSince1970]
            )
            return db.changesCount == 1
        }
    }

    public func forgetExpiredNonces(now: Date) async throws {
        try await durableWrite { db in
            try db.execute(sql: "DELETE FROM passport_nonces WHERE expires_at < ?", arguments: [now.timeIntervalSince1970])
        }
    }
}
