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

    static func job(from row: PostgresRow) throws -> Job {
        let columns = row.makeRandomAccess()
        let stateName = try columns["state"].decode(String.self)
        guard let state = JobState(rawValue: stateName) else {
            throw JobError(.storage, "unknown job state '\(stateName)' in the database")
        }
        guard case .object(let parameters) = try JSONValue.parse(try columns["parameters"].decode(String.self)) else {
            throw JobError(.storage, "job parameters in the database are not a JSON object")
        }
        var failure: JobFailure?
        if let code = try columns["error_code"].decode(String?.self) {
            failure = JobFailure(code: code, message: try columns["error_message"].decode(String?.self) ?? "")
        }
        var result: JobResult?
        if let key = try columns["result_key"].decode(String?.self) {
            result = JobResult(
                key: key,
                size: try columns["result_size"].decode(Int64.self),
                sha256: try columns["result_sha256"].decode(String.self),
                contentType: try columns["result_content_type"].decode(String.self),
                fileName: try columns["result_file_name"].decode(String.self)
            )
        }
        return Job(
            id: JobID(try columns["id"].decode(String.self)),
            tenantID: TenantID(try columns["tenant_id"].decode(String.self)),
            type: try columns["type"].decode(String.self),
            parameters: parameters,
            state: state,
            attempt: try columns["attempt"].decode(Int.self),
            maxAttempts: try columns["max_attempts"].decode(Int.self),
            createdAt: try columns["created_at"].decode(Date.self),
            updatedAt: try columns["updated_at"].decode(Date.self),
            runAfter: try columns["run_after"].decode(Date.self),
            startedAt: try columns["started_at"].decode(Date?.self),
            finishedAt: try columns["finished_at"].decode(Date?.self),
            progress: JobProgress(
                percent: try columns["progress"].decode(Double.self),
                estimatedSecondsRemaining: try columns["eta_seconds"].decode(Double?.self),
                updatedAt: try columns["progress_at"].decode(Date?.self)
            ),
            failure: failure,
            result: result,
            itemErrors: try columns["item_errors"].decode(Int.self),
            idempotencyKey: try columns["idempotency_key"].decode(String?.self),
            resultExpiredAt: try columns["result_expired_at"].decode(Date?.self)
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
