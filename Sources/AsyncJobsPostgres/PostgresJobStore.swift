public import AsyncJobs
public import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// A ``JobStore`` and ``TenantStore`` in PostgreSQL, shared by any number of AsyncJobs nodes.
///
/// Every node can accept jobs, answer for any job and run any job: claims take rows with
/// `FOR UPDATE SKIP LOCKED`, so nodes never wait on each other's claims or claim a job twice;
/// `LISTEN/NOTIFY` (see ``JobChangeFeed``) wakes idle workers on every node when a job is queued and
/// stops a handler when its job is cancelled through another node. Completions arriving together
/// are written in one statement. Tenants, keys, clients and signing secrets live here too, so nodes
/// keep no state of their own.
///
/// The store owns a connection pool that must be running while it is used: add the store to a
/// `ServiceGroup`, or call ``run()`` in a task.
///
/// ```swift
/// let store = try PostgresJobStore(configuration: PostgresStoreConfiguration(url: url), logger: logger)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await store.run() }
///     try await store.migrate()
///     // use the store
///     group.cancelAll()
/// }
/// ```
public final class PostgresJobStore: JobStore, TenantStore, JobChangeFeed, Service {
    let client: PostgresClient
    let logger: Logger
    let configuration: PostgresStoreConfiguration
    private let completions: GroupCommit<Completion, Bool>
    /// How long a store call waits for PostgreSQL (see ``deadline(for:)``).
    let deadline: Duration
    private let started = Latch()

    /// The notification channel of job changes.
    static let channel = "asyncjobs_changes"

    /// One finished job waiting to be written.
    struct Completion: Sendable {
        var lease: Lease
        var result: JobResult?
        var itemErrors: Int
        var now: Date
    }

    /// Creates a store; nothing connects until ``run()`` runs and a query needs a connection.
    public init(configuration: PostgresStoreConfiguration, logger: Logger) throws {
        let client = PostgresClient(configuration: try configuration.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.configuration = configuration
        let deadline = Self.deadline(for: configuration)
        self.deadline = deadline
        self.completions = GroupCommit { batch in try await Self.writeCompletions(batch, client: client, deadline: deadline, logger: logger) }
    }

    /// Runs the connection pool until the task is cancelled or a graceful shutdown begins.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            self.started.set()
            await self.client.run()
        }
    }

    /// Returns once ``run()`` has started, so that the first query does not wait for the pool.
    public func waitUntilRunning() async {
        await started.wait()
    }

    /// Lends a pooled connection to `body`, for maintenance queries and diagnostics.
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in try await body(connection) }
    }

    // MARK: JobStore

    public func submit(_ new: NewJob) async throws -> Submission {
        let parameters = JSONValue.object(new.parameters).canonicalJSON()
        let inserted = try await execute(
            """
            WITH inserted AS (
                INSERT INTO asyncjobs.jobs AS j (id, tenant_id, type, parameters, state, attempt, max_attempts,
                    created_at, updated_at, run_after, idempotency_key, request_fingerprint)
                VALUES (\(new.id.rawValue), \(new.tenantID.rawValue), \(new.type), \(parameters), 'queued', 0, \(new.maxAttempts),
                    \(new.now), \(new.now), \(new.now), \(new.idempotencyKey), \(new.requestFingerprint))
                ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
                RETURNING \(unescaped: Self.stateTableColumns)
            ),
            queued AS (\(unescaped: Self.enterQueue(from: "inserted")))
            SELECT pg_notify(\(Self.channel), 'queued') FROM inserted
            """,
            logger: logger
        ).count()
        if inserted == 1 { return Submission(job: new.queuedJob, created: true) }

        // The unique constraint decided that this is a replay. The winner's row is committed (the
        // insert waited for it), and this new statement's snapshot sees it.
        let rows = try await execute(
            """
            SELECT \(unescaped: Self.jobColumns), request_fingerprint FROM asyncjobs.jobs
            WHERE tenant_id = \(new.tenantID.rawValue) AND idempotency_key = \(new.idempotencyKey)
            """,
            logger: logger
        )
        guard let row = try await rows.first(where: { _ in true }) else {
            throw JobError(.storage, "the job holding Idempotency-Key '\(new.idempotencyKey ?? "")' vanished during the submit; retry")
        }
        return try Self.replay(of: new, existing: row)
    }

    public func submit(_ jobs: [NewJob]) async throws -> [Submission] {
        guard !jobs.isEmpty else { return [] }
        return try await transaction { [logger] connection in
            // One statement inserts the batch; a job whose key is taken (by an earlier submission or an
            // earlier job of this batch) is skipped here and looked up below. Arrays cannot carry NULLs
            // here, so an absent key is sent as empty together with a flag.
            let rows = try await connection.query(
                """
                WITH inserted AS (
                INSERT INTO asyncjobs.jobs AS j (id, tenant_id, type, parameters, state, attempt, max_attempts,
                    created_at, updated_at, run_after, idempotency_key, request_fingerprint)
                SELECT v.id, v.tenant_id, v.type, v.parameters, 'queued', 0, v.max_attempts, v.now, v.now, v.now,
                    CASE WHEN v.has_key THEN v.key END, v.fingerprint
                FROM unnest(
                    \(jobs.map(\.id.rawValue)), \(jobs.map(\.tenantID.rawValue)), \(jobs.map(\.type)),
                    \(jobs.map { JSONValue.object($0.parameters).canonicalJSON() }), \(jobs.map(\.maxAttempts)), \(jobs.map(\.now)),
                    \(jobs.map { $0.idempotencyKey != nil }), \(jobs.map { $0.idempotencyKey ?? "" }), \(jobs.map(\.requestFingerprint))
                ) WITH ORDINALITY AS v(id, tenant_id, type, parameters, max_attempts, now, has_key, key, fingerprint, position)
                ORDER BY v.position
                ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
                RETURNING j.id, \(unescaped: Self.stateTableColumns)
                ),
                queued AS (\(unescaped: Self.enterQueue(from: "inserted")))
                SELECT id FROM inserted
                """,
                logger: logger
            )
            var inserted = Set<String>()
            for try await id in rows.decode(String.self) { inserted.insert(id) }
            var submissions: [Submission] = []
            submissions.reserveCapacity(jobs.count)
            for new in jobs {
                if inserted.contains(new.id.rawValue) {
                    submissions.append(Submission(job: new.queuedJob, created: true))
                    continue
                }
                let existing = try await connection.query(
                    """
                    SELECT \(unescaped: Self.jobColumns), request_fingerprint FROM asyncjobs.jobs
                    WHERE tenant_id = \(new.tenantID.rawValue) AND idempotency_key = \(new.idempotencyKey)
                    """,
                    logger: logger
                )
                guard let row = try await existing.first(where: { _ in true }) else {
                    throw JobError(.storage, "the job holding Idempotency-Key '\(new.idempotencyKey ?? "")' vanished during the submit; retry")
                }
                submissions.append(try Self.replay(of: new, existing: row))
            }
            if !inserted.isEmpty {
                try await connection.query("SELECT pg_notify(\(Self.channel), 'queued')", logger: logger)
            }
            return submissions
        }
    }

    /// The outcome of a submission whose idempotency key `row` (with its `request_fingerprint`) holds.
    static func replay(of new: NewJob, existing row: PostgresRow) throws -> Submission {
        let existing = try Self.job(from: row)
        guard try row.makeRandomAccess()["request_fingerprint"].decode(String.self) == new.requestFingerprint else {
            throw JobError(
                .idempotencyKeyReused,
                "Idempotency-Key '\(new.idempotencyKey ?? "")' was already used for a different request",
                jobID: existing.id
            )
        }
        return Submission(job: existing, created: false)
    }

    public func countUnfinishedJobs(tenant: TenantID, upTo limit: Int) async throws -> Int {
        let rows = try await execute(
            """
            SELECT least(\(Int64(limit)),
                (SELECT count(*) FROM (SELECT 1 FROM asyncjobs.job_queue WHERE tenant_id = \(tenant.rawValue) LIMIT \(Int64(limit))) AS queued)
                + (SELECT count(*) FROM (SELECT 1 FROM asyncjobs.job_leases WHERE tenant_id = \(tenant.rawValue) LIMIT \(Int64(limit))) AS running))
            """,
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    public func job(_ id: JobID, tenant: TenantID?) async throws -> Job? {
        let rows: PostgresRowSequence
        if let tenant {
            rows = try await execute(
                "SELECT \(unescaped: Self.jobColumns) FROM asyncjobs.jobs WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue)",
                logger: logger
            )
        } else {
            rows = try await execute("SELECT \(unescaped: Self.jobColumns) FROM asyncjobs.jobs WHERE id = \(id.rawValue)", logger: logger)
        }
        return try await Self.jobs(from: rows).first
    }

    public func jobs(_ query: JobQuery) async throws -> JobPage {
        // Built per query so that each filter is a plain predicate the planner can match to an index.
        var binds = PostgresBindings()
        binds.append(query.tenantID.rawValue)
        var filters = ""
        if let cursor = query.cursor {
            guard let sequence = Int64(cursor) else {
                throw JobError(.invalidParameters, "the cursor is not one this server issued", field: "cursor")
            }
            binds.append(sequence)
            filters += " AND seq < $\(binds.count)"
        }
        if let type = query.type {
            binds.append(type)
            filters += " AND type = $\(binds.count)"
        }
        let limit = max(1, query.limit)
        binds.append(limit + 1)
        let limitIndex = binds.count
        var sql = "SELECT \(Self.jobColumns), seq FROM asyncjobs.jobs WHERE tenant_id = $1\(filters)"
        if !query.states.isEmpty {
            // Each state's newest page comes from its side table's (tenant_id[, state], seq) index; the
            // page is the newest of their union.
            let pages = query.states.sorted { $0.rawValue < $1.rawValue }.map { state in
                let (table, condition) = Self.stateTable(for: state)
                return "(SELECT seq FROM \(table) WHERE tenant_id = $1\(condition)\(filters) ORDER BY seq DESC LIMIT $\(limitIndex))"
            }
            sql += " AND seq IN (\(pages.joined(separator: " UNION ALL ")))"
        }
        sql += " ORDER BY seq DESC LIMIT $\(limitIndex)"

        var jobs: [Job] = []
        var lastSequence: Int64?
        for try await row in try await execute(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            if jobs.count == limit { return JobPage(jobs: jobs, nextCursor: lastSequence.map(String.init)) }
            jobs.append(try Self.job(from: row))
            lastSequence = try row.makeRandomAccess()["seq"].decode(Int64.self)
        }
        return JobPage(jobs: jobs, nextCursor: nil)
    }

    public func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
        guard request.limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(request.now)
        var typeFilter = ""
        if let types = request.types {
            guard !types.isEmpty else { return [] }
            try binds.append(types)
            typeFilter = " AND type = ANY($2)"
        }
        binds.append(request.limit)
        let limitIndex = binds.count
        binds.append(request.workerID)
        binds.append(request.leaseExpiry)
        // One round trip: lock the oldest due rows no other node has locked, and lease them.
        //
        // The claim commits without waiting for the WAL to reach the disk (synchronous_commit off for
        // this transaction only, set by the statement itself so it stays one round trip): it saves a
        // WAL flush between a submission and the start of its handler. A crash of the database can
        // forget only the newest claims; their jobs are queued again and run again, which
        // at-least-once delivery allows, and the old leases no longer match, so nothing the first
        // worker writes is kept. The completion's commit flushes the WAL, claim included.
        //
        // The due rows leave the queue table as they are leased; the state test on the job guards
        // against a queue row that outlived its job's state (it is dropped, not leased).
        let sql = """
            WITH due AS (
                DELETE FROM asyncjobs.job_queue WHERE seq IN (
                    SELECT seq FROM asyncjobs.job_queue
                    WHERE run_after <= $1\(typeFilter)
                        AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
                    ORDER BY run_after, seq
                    LIMIT $\(limitIndex)
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING seq
            ),
            claimed AS (
                UPDATE asyncjobs.jobs AS j SET state = 'running', attempt = j.attempt + 1,
                    lease_token = replace(gen_random_uuid()::text, '-', ''),
                    lease_owner = $\(limitIndex + 1), lease_expires_at = $\(limitIndex + 2), started_at = $1, updated_at = $1,
                    progress = 0, eta_seconds = NULL, progress_at = NULL
                FROM due WHERE j.seq = due.seq AND j.state = 'queued'
                RETURNING j.*
            ),
            leased AS (\(Self.enterLeases(from: "claimed")))
            SELECT \(Self.jobColumns) FROM claimed
            """
        var claimed: [ClaimedJob] = []
        for try await row in try await execute(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            let job = try Self.job(from: row)
            let token = try row.makeRandomAccess()["lease_token"].decode(String.self)
            claimed.append(ClaimedJob(job: job, lease: Lease(jobID: job.id, token: token, attempt: job.attempt)))
        }
        return claimed.sorted { ($0.job.runAfter, $0.job.createdAt) < ($1.job.runAfter, $1.job.createdAt) }
    }

    public func heartbeat(_ lease: Lease, until expiry: Date, progress: JobProgress?, now: Date) async throws -> LeaseStatus {
        let rows = try await execute(
            """
            WITH beat AS (
                UPDATE asyncjobs.jobs AS j SET lease_expires_at = \(expiry), updated_at = \(now),
                    progress = CASE WHEN \(progress != nil) THEN \(progress?.percent) ELSE progress END,
                    eta_seconds = CASE WHEN \(progress != nil) THEN \(progress?.estimatedSecondsRemaining) ELSE eta_seconds END,
                    progress_at = CASE WHEN \(progress != nil) THEN \(progress?.updatedAt) ELSE progress_at END
                WHERE id = \(lease.jobID.rawValue) AND state = 'running' AND lease_token = \(lease.token)
                RETURNING j.seq
            ),
            extended AS (UPDATE asyncjobs.job_leases AS lease SET expires_at = \(expiry) FROM beat WHERE lease.seq = beat.seq)
            SELECT (SELECT count(*) FROM beat) AS held, (SELECT state FROM asyncjobs.jobs WHERE id = \(lease.jobID.rawValue)) AS state
            """,
            logger: logger
        )
        for try await (held, state) in rows.decode((Int64, String?).self) {
            if held == 1 { return .held }
            return .lost(state.flatMap(JobState.init(rawValue:)))
        }
        return .lost(nil)
    }

    public func complete(_ lease: Lease, result: JobResult?, itemErrors: Int, now: Date) async throws -> Bool {
        try await completions.submit(Completion(lease: lease, result: result, itemErrors: itemErrors, now: now))
    }

    /// Marks a batch of jobs succeeded in one statement, each only while its lease is current.
    static func writeCompletions(_ batch: [Completion], client: PostgresClient, deadline: Duration, logger: Logger) async throws -> [Bool] {
        // Arrays cannot carry NULLs here, so an absent result is written as empty and read back as NULL.
        let rows = try await execute(
            """
            WITH completed AS (
            UPDATE asyncjobs.jobs AS j SET state = 'succeeded', finished_at = v.now, updated_at = v.now,
                progress = 100, eta_seconds = 0, progress_at = v.now,
                result_key = NULLIF(v.key, ''), result_size = NULLIF(v.size, -1), result_sha256 = NULLIF(v.sha256, ''),
                result_content_type = NULLIF(v.content_type, ''), result_file_name = NULLIF(v.file_name, ''),
                item_errors = v.item_errors, error_code = NULL, error_message = NULL,
                lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
            FROM unnest(
                \(batch.map(\.lease.jobID.rawValue)), \(batch.map(\.lease.token)), \(batch.map(\.now)),
                \(batch.map { $0.result?.key ?? "" }), \(batch.map { $0.result?.size ?? -1 }), \(batch.map { $0.result?.sha256 ?? "" }),
                \(batch.map { $0.result?.contentType ?? "" }), \(batch.map { $0.result?.fileName ?? "" }), \(batch.map(\.itemErrors))
            ) AS v(id, token, now, key, size, sha256, content_type, file_name, item_errors)
            WHERE j.id = v.id AND j.state = 'running' AND j.lease_token = v.token
            RETURNING v.id, v.token, \(unescaped: stateTableColumns)
            ),
            unleased AS (\(unescaped: leaveLeases(from: "completed"))),
            ended AS (\(unescaped: enterEndings(from: "completed", state: .succeeded)))
            SELECT id, token FROM completed
            """,
            on: client,
            deadline: deadline,
            logger: logger
        )
        var written = Set<Lease>()
        for try await (id, token) in rows.decode((String, String).self) {
            written.insert(Lease(jobID: JobID(id), token: token, attempt: 0))
        }
        return batch.map { written.contains(Lease(jobID: $0.lease.jobID, token: $0.lease.token, attempt: 0)) }
    }

    public func fail(_ lease: Lease, failure: JobFailure, retryAt: Date?, now: Date) async throws -> Bool {
        if let retryAt {
            return try await updateHeld(
                lease,
                """
                WITH retried AS (
                    UPDATE asyncjobs.jobs AS j SET state = 'queued', run_after = \(retryAt), updated_at = \(now),
                        error_code = \(failure.code), error_message = \(failure.message),
                        lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = \(lease.jobID.rawValue) AND state = 'running' AND lease_token = \(lease.token)
                    RETURNING \(unescaped: Self.stateTableColumns)
                ),
                unleased AS (\(unescaped: Self.leaveLeases(from: "retried"))),
                queued AS (\(unescaped: Self.enterQueue(from: "retried")))
                SELECT 1 FROM retried
                """
            )
        }
        return try await updateHeld(
            lease,
            """
            WITH failed AS (
                UPDATE asyncjobs.jobs AS j SET state = 'failed', finished_at = \(now), updated_at = \(now),
                    error_code = \(failure.code), error_message = \(failure.message),
                    lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(lease.jobID.rawValue) AND state = 'running' AND lease_token = \(lease.token)
                RETURNING \(unescaped: Self.stateTableColumns)
            ),
            unleased AS (\(unescaped: Self.leaveLeases(from: "failed"))),
            ended AS (\(unescaped: Self.enterEndings(from: "failed", state: .failed)))
            SELECT 1 FROM failed
            """
        )
    }

    public func release(_ lease: Lease, now: Date) async throws -> Bool {
        try await updateHeld(
            lease,
            """
            WITH released AS (
                UPDATE asyncjobs.jobs AS j SET state = 'queued', run_after = \(now), updated_at = \(now),
                    lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(lease.jobID.rawValue) AND state = 'running' AND lease_token = \(lease.token)
                RETURNING \(unescaped: Self.stateTableColumns)
            ),
            unleased AS (\(unescaped: Self.leaveLeases(from: "released"))),
            queued AS (\(unescaped: Self.enterQueue(from: "released")))
            SELECT pg_notify(\(Self.channel), 'queued') FROM released
            """
        )
    }

    /// Runs a statement that changes the job only while `lease` is current and returns a row when it
    /// did; true when it did.
    private func updateHeld(_ lease: Lease, _ statement: PostgresQuery) async throws -> Bool {
        try await execute(statement, logger: logger).count() == 1
    }

    /// How many times a cancel reads the job again when its state changed before the cancel could lock it.
    static let cancelAttempts = 10

    public func cancel(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome {
        for _ in 0..<Self.cancelAttempts {
            if let outcome = try await cancelOnce(id, tenant: tenant, now: now) { return outcome }
        }
        throw JobError(.storage, "job \(id) changed state \(Self.cancelAttempts) times while it was being cancelled; retry")
    }

    /// One try at cancelling; `nil` when the job left the state it was read in before it was locked.
    ///
    /// A queued job is taken by deleting its queue row first, the row a claim locks first, so a cancel
    /// and a claim never wait on each other in a circle: whichever locks the queue row has the job.
    private func cancelOnce(_ id: JobID, tenant: TenantID, now: Date) async throws -> CancelOutcome? {
        try await transaction { [logger] connection -> CancelOutcome? in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.jobColumns), seq FROM asyncjobs.jobs WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue)",
                logger: logger
            )
            guard let row = try await rows.first(where: { _ in true }) else { return .notFound }
            var job = try Self.job(from: row)
            let seq = try row.makeRandomAccess()["seq"].decode(Int64.self)
            switch job.state {
            case .cancelled: return .cancelled(job, wasRunning: false)
            case .succeeded, .failed: return .alreadyTerminal(job)
            case .queued:
                let taken = try await connection.query("DELETE FROM asyncjobs.job_queue WHERE seq = \(seq) RETURNING seq", logger: logger).count()
                guard taken == 1 else { return nil }
                let cancelled = try await connection.query(
                    """
                    WITH cancelled AS (
                        UPDATE asyncjobs.jobs AS j SET state = 'cancelled', finished_at = \(now), updated_at = \(now)
                        WHERE seq = \(seq) AND state = 'queued'
                        RETURNING \(unescaped: Self.stateTableColumns)
                    ),
                    ended AS (\(unescaped: Self.enterEndings(from: "cancelled", state: .cancelled)))
                    SELECT 1 FROM cancelled
                    """,
                    logger: logger
                ).count()
                // A queue row without a queued job is dropped (committed), and the job read again.
                guard cancelled == 1 else { return nil }
            case .running:
                // The lease read above is pinned: if the job was requeued and claimed again while this
                // waited for its row, the new lease row is not in this statement's snapshot, and
                // cancelling that attempt here would leave it behind. The cancel reads the job again.
                let token = try row.makeRandomAccess()["lease_token"].decode(String?.self)
                let cancelled = try await connection.query(
                    """
                    WITH cancelled AS (
                        UPDATE asyncjobs.jobs AS j SET state = 'cancelled', finished_at = \(now), updated_at = \(now),
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        WHERE seq = \(seq) AND state = 'running' AND lease_token = \(token)
                        RETURNING \(unescaped: Self.stateTableColumns)
                    ),
                    unleased AS (\(unescaped: Self.leaveLeases(from: "cancelled"))),
                    ended AS (\(unescaped: Self.enterEndings(from: "cancelled", state: .cancelled)))
                    SELECT 1 FROM cancelled
                    """,
                    logger: logger
                ).count()
                guard cancelled == 1 else { return nil }
                // Delivered at commit to every node; the one running the handler stops it.
                try await connection.query("SELECT pg_notify(\(Self.channel), \("cancelled:" + id.rawValue))", logger: logger)
            }
            let wasRunning = job.state == .running
            job.state = .cancelled
            job.finishedAt = now
            job.updatedAt = now
            return .cancelled(job, wasRunning: wasRunning)
        }
    }

    public func delete(_ id: JobID, tenant: TenantID) async throws -> DeleteOutcome {
        let deleted = try await execute(
            """
            WITH deleted AS (
                DELETE FROM asyncjobs.jobs
                WHERE id = \(id.rawValue) AND tenant_id = \(tenant.rawValue) AND state IN ('succeeded', 'failed', 'cancelled')
                RETURNING *
            ),
            unended AS (\(unescaped: Self.leaveEndings(from: "deleted")))
            SELECT \(unescaped: Self.jobColumns) FROM deleted
            """,
            logger: logger
        )
        if let job = try await Self.jobs(from: deleted).first { return .deleted(job) }
        guard let job = try await self.job(id, tenant: tenant) else { return .notFound }
        return job.state.isTerminal ? .notFound : .notTerminal(job)
    }

    public func requeueExpiredLeases(now: Date) async throws -> Int {
        let (failed, requeued) = try await transaction { [logger] connection -> (Int, Int) in
            // Lapsed leases are found through their table and locked through the job, the order every
            // writer of a running job keeps. Rows another node's reaper is handling are skipped.
            let lapsed = try await connection.query(
                """
                SELECT j.seq, j.attempt, j.max_attempts FROM asyncjobs.jobs AS j
                WHERE j.seq IN (SELECT seq FROM asyncjobs.job_leases WHERE expires_at < \(now))
                    AND j.state = 'running' AND j.lease_expires_at < \(now)
                FOR UPDATE OF j SKIP LOCKED
                """,
                logger: logger
            )
            var exhausted: [(Int64, Int)] = []
            var retry: [Int64] = []
            for try await (seq, attempt, maxAttempts) in lapsed.decode((Int64, Int, Int).self) {
                if attempt >= maxAttempts { exhausted.append((seq, attempt)) } else { retry.append(seq) }
            }
            if !exhausted.isEmpty {
                let failures = exhausted.map { JobFailure.leaseExpired(attempts: $0.1) }
                try await connection.query(
                    """
                    WITH failed AS (
                        UPDATE asyncjobs.jobs AS j SET state = 'failed', finished_at = \(now), updated_at = \(now),
                            error_code = v.code, error_message = v.message,
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        FROM unnest(\(exhausted.map(\.0)), \(failures.map(\.code)), \(failures.map(\.message))) AS v(seq, code, message)
                        WHERE j.seq = v.seq
                        RETURNING \(unescaped: Self.stateTableColumns)
                    ),
                    unleased AS (\(unescaped: Self.leaveLeases(from: "failed"))),
                    ended AS (\(unescaped: Self.enterEndings(from: "failed", state: .failed)))
                    SELECT 1 FROM failed
                    """,
                    logger: logger
                )
            }
            if !retry.isEmpty {
                try await connection.query(
                    """
                    WITH requeued AS (
                        UPDATE asyncjobs.jobs AS j SET state = 'queued', run_after = \(now), updated_at = \(now),
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        WHERE seq = ANY(\(retry))
                        RETURNING \(unescaped: Self.stateTableColumns)
                    ),
                    unleased AS (\(unescaped: Self.leaveLeases(from: "requeued"))),
                    queued AS (\(unescaped: Self.enterQueue(from: "requeued")))
                    SELECT 1 FROM requeued
                    """,
                    logger: logger
                )
                try await connection.query("SELECT pg_notify(\(Self.channel), 'queued')", logger: logger)
            }
            return (exhausted.count, retry.count)
        }
        return failed + requeued
    }

    public func pruneFinishedJobs(endedBefore cutoff: Date, limit: Int) async throws -> [Job] {
        guard limit > 0 else { return [] }
        // The oldest endings are picked from their table and locked through the job, as a delete does.
        let rows = try await execute(
            """
            WITH pruned AS (
                DELETE FROM asyncjobs.jobs WHERE seq IN (
                    SELECT j.seq FROM asyncjobs.jobs AS j
                    WHERE j.seq IN (
                        SELECT seq FROM asyncjobs.job_endings WHERE finished_at < \(cutoff) ORDER BY finished_at, seq LIMIT \(limit)
                    ) AND j.state IN ('succeeded', 'failed', 'cancelled')
                    FOR UPDATE OF j SKIP LOCKED
                )
                RETURNING *
            ),
            unended AS (\(unescaped: Self.leaveEndings(from: "pruned")))
            SELECT \(unescaped: Self.jobColumns), seq FROM pruned
            """,
            logger: logger
        )
        var pruned: [(job: Job, seq: Int64)] = []
        for try await row in rows {
            pruned.append((try Self.job(from: row), try row.makeRandomAccess()["seq"].decode(Int64.self)))
        }
        return pruned.sorted { ($0.job.finishedAt ?? $0.job.updatedAt, $0.seq) < ($1.job.finishedAt ?? $1.job.updatedAt, $1.seq) }.map(\.job)
    }

    public func expireResults(finishedBefore cutoff: Date, limit: Int, now: Date) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let rows = try await execute(
            """
            WITH expired AS (
                UPDATE asyncjobs.jobs SET result_expired_at = \(now), updated_at = \(now) WHERE seq IN (
                    SELECT j.seq FROM asyncjobs.jobs AS j
                    WHERE j.seq IN (
                        SELECT seq FROM asyncjobs.job_endings WHERE live_result AND finished_at < \(cutoff)
                        ORDER BY finished_at, seq LIMIT \(limit)
                    ) AND j.state = 'succeeded' AND j.result_key IS NOT NULL AND j.result_expired_at IS NULL
                    FOR UPDATE OF j SKIP LOCKED
                )
                RETURNING *
            ),
            spent AS (UPDATE asyncjobs.job_endings AS ending SET live_result = false FROM expired WHERE ending.seq = expired.seq)
            SELECT \(unescaped: Self.jobColumns) FROM expired
            """,
            logger: logger
        )
        return try await Self.jobs(from: rows).sorted { ($0.finishedAt ?? $0.updatedAt) < ($1.finishedAt ?? $1.updatedAt) }
    }

    /// Runs one statement on a pooled connection.
    func execute(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await Self.execute(query, on: client, deadline: deadline, logger: logger)
    }

    static func execute(_ query: PostgresQuery, on client: PostgresClient, deadline: Duration, logger: Logger) async throws -> PostgresRowSequence {
        try await answering(within: deadline) { try await client.query(query, logger: logger) }
    }

    /// Runs `body` in a transaction within the store's ``deadline``.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await transaction(deadline: deadline, body)
    }

    /// Runs `body` in a transaction and rethrows what actually went wrong, not postgres-nio's wrapper.
    /// - Parameter deadline: How long to wait for PostgreSQL; `nil` for no limit (migrations may build
    ///   indexes for minutes).
    func transaction<Result: Sendable>(deadline: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let client = self.client
        let logger = self.logger
        return try await Self.answering(within: deadline) {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                throw error.closureError ?? error.beginError ?? error.commitError ?? error
            }
        }
    }

    /// How long a store call waits for PostgreSQL: a little past the statement timeout, so the server
    /// cancels a slow statement first and says why.
    static func deadline(for configuration: PostgresStoreConfiguration) -> Duration {
        (configuration.statementTimeout ?? configuration.connectTimeout * 3) + .seconds(1)
    }

    /// Runs `body`, failing with a ``JobError/Code/storage`` error when PostgreSQL has not answered
    /// within `limit` (while it is down, the pool would otherwise keep callers waiting) and turning the
    /// driver's errors into storage errors that API clients see as 503.
    static func answering<Value: Sendable>(within limit: Duration?, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        do {
            guard let limit else { return try await body() }
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let value = try await group.next() ?? nil else {
                    throw JobError(.storage, "PostgreSQL did not answer within \(limit)")
                }
                return value
            }
        } catch let error as PSQLError {
            throw storageError(error)
        } catch let error as JobError {
            throw error
        } catch let error as PostgresStoreError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw JobError(.storage, "PostgreSQL is unavailable: \(error)")
        }
    }

    /// A ``JobError`` that says what PostgreSQL reported. postgres-nio's own description is
    /// deliberately vague; this keeps the server's message and SQLSTATE, never the statement's values.
    static func storageError(_ error: PSQLError) -> JobError {
        if let message = error.serverInfo?[.message] {
            return JobError(.storage, "PostgreSQL: \(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))")
        }
        return JobError(.storage, "PostgreSQL: \(error.code)")
    }

    /// Waits until the database accepts a connection; throws a clear error after `timeout` (by default
    /// three connect timeouts) instead of letting callers wait while the pool retries.
    public func checkConnection(timeout: Duration? = nil) async throws {
        let limit = timeout ?? configuration.connectTimeout * 3
        let target = configuration.redactedDescription
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await self.execute("SELECT 1", logger: self.logger).count()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            guard try await group.next() == true else {
                throw JobError(
                    .storage,
                    "PostgreSQL at \(target) did not accept a connection within \(limit); check the host, port, credentials and sslmode (the log above has the driver's reason)"
                )
            }
        }
    }

    // MARK: JobChangeFeed

    public func followChanges(_ onChange: @escaping @Sendable (JobChange) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.channel) { notifications in
                for try await notification in notifications {
                    if notification.payload == "queued" {
                        onChange(.jobsQueued)
                    } else if notification.payload.hasPrefix("cancelled:") {
                        onChange(.cancelled(JobID(String(notification.payload.dropFirst("cancelled:".count)))))
                    }
                }
            }
        }
    }
}
