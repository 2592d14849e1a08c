import AsyncJobs
import Foundation
import PostgresNIO

extension PostgresJobStore {
    /// The columns every job-returning statement selects, in the order ``job(from:)`` reads them.
    static let jobColumns = """
        id, tenant_id, type, parameters, state, attempt, max_attempts, created_at, updated_at, run_after,
        started_at, finished_at, progress, eta_seconds, progress_at, error_code, error_message,
        result_key, result_size, result_sha256, result_content_type, result_file_name, item_errors,
        idempotency_key, lease_token, result_expired_at
        """

    /// Reads a job from a row that starts with ``jobColumns``, by position, which spares a search by
    /// name for each of its 26 columns on every claimed row.
    static func job(from row: PostgresRow) throws -> Job {
        let columns = row.makeRandomAccess()
        let stateName = try columns[4].decode(String.self)
        guard let state = JobState(rawValue: stateName) else {
            throw JobError(.storage, "unknown job state '\(stateName)' in the database")
        }
        guard case .object(let parameters) = try JSONValue.parse(try columns[3].decode(String.self)) else {
            throw JobError(.storage, "job parameters in the database are not a JSON object")
        }
        var failure: JobFailure?
        if let code = try columns[15].decode(String?.self) {
            failure = JobFailure(code: code, message: try columns[16].decode(String?.self) ?? "")
        }
        var result: JobResult?
        if let key = try columns[17].decode(String?.self) {
            result = JobResult(
                key: key,
                size: try columns[18].decode(Int64.self),
                sha256: try columns[19].decode(String.self),
                contentType: try columns[20].decode(String.self),
                fileName: try columns[21].decode(String.self)
            )
        }
        return Job(
            id: JobID(try columns[0].decode(String.self)),
            tenantID: TenantID(try columns[1].decode(String.self)),
            type: try columns[2].decode(String.self),
            parameters: parameters,
            state: state,
            attempt: try columns[5].decode(Int.self),
            maxAttempts: try columns[6].decode(Int.self),
            createdAt: try columns[7].decode(Date.self),
            updatedAt: try columns[8].decode(Date.self),
            runAfter: try columns[9].decode(Date.self),
            startedAt: try columns[10].decode(Date?.self),
            finishedAt: try columns[11].decode(Date?.self),
            progress: JobProgress(
                percent: try columns[12].decode(Double.self),
                estimatedSecondsRemaining: try columns[13].decode(Double?.self),
                updatedAt: try columns[14].decode(Date?.self)
            ),
            failure: failure,
            result: result,
            itemErrors: try columns[22].decode(Int.self),
            idempotencyKey: try columns[23].decode(String?.self),
            resultExpiredAt: try columns[25].decode(Date?.self)
        )
    }

    /// Every job the rows hold.
    static func jobs(from rows: PostgresRowSequence) async throws -> [Job] {
        var jobs: [Job] = []
        for try await row in rows { jobs.append(try job(from: row)) }
        return jobs
    }
}

extension PostgresRowSequence {
    /// Reads every row and returns how many there were.
    func count() async throws -> Int {
        try await reduce(0) { count, _ in count + 1 }
    }
}
