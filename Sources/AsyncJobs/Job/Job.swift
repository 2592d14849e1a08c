public import Foundation

/// A job as the store keeps it: what was asked, where it is, and what came of it.
public struct Job: Sendable, Hashable {
    /// The job's identifier.
    public var id: JobID
    /// The tenant that submitted it; no other tenant can see it.
    public var tenantID: TenantID
    /// The handler type, e.g. `demo.csv`.
    public var type: String
    /// The validated parameters.
    public var parameters: JobParameters
    /// Where the job is in its life.
    public var state: JobState
    /// How many times a worker has started it.
    public var attempt: Int
    /// How many starts it may have before a failure is final.
    public var maxAttempts: Int
    /// When it was accepted.
    public var createdAt: Date
    /// When its row last changed.
    public var updatedAt: Date
    /// When a queued job may next be claimed (later than `createdAt` while waiting for a retry).
    public var runAfter: Date
    /// When the latest attempt started.
    public var startedAt: Date?
    /// When it reached a terminal state.
    public var finishedAt: Date?
    /// Progress and estimate as last reported by the handler.
    public var progress: JobProgress
    /// Why the latest attempt failed (kept while a retry waits, and when the job failed).
    public var failure: JobFailure?
    /// The stored result of a succeeded job. It stays recorded after the result expired.
    public var result: JobResult?
    /// When the result was deleted for being older than the result retention period; `nil` while
    /// the result can still be downloaded.
    public var resultExpiredAt: Date?
    /// How many items the handler reported as failed in an otherwise successful run.
    public var itemErrors: Int
    /// The client's idempotency key, when it sent one.
    public var idempotencyKey: String?

    /// Creates a job value; stores use this to materialise rows.
    public init(
        id: JobID,
        tenantID: TenantID,
        type: String,
        parameters: JobParameters,
        state: JobState,
        attempt: Int = 0,
        maxAttempts: Int,
        createdAt: Date,
        updatedAt: Date,
        runAfter: Date,
        startedAt: Date? = nil,
        finishedAt: Date? = nil,
        progress: JobProgress = JobProgress(),
        failure: JobFailure? = nil,
        result: JobResult? = nil,
        itemErrors: Int = 0,
        idempotencyKey: String? = nil,
        resultExpiredAt: Date? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.type = type
        self.parameters = parameters
        self.state = state
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.runAfter = runAfter
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.progress = progress
        self.failure = failure
        self.result = result
        self.itemErrors = itemErrors
        self.idempotencyKey = idempotencyKey
        self.resultExpiredAt = resultExpiredAt
    }
}

/// Progress of a job as reported by its handler.
public struct JobProgress: Sendable, Hashable, Codable {
    /// Percent complete, 0–100.
    public var percent: Double
    /// Estimated seconds remaining when `updatedAt` was written; `nil` until it can be estimated.
    public var estimatedSecondsRemaining: Double?
    /// When the handler last reported progress.
    public var updatedAt: Date?

    /// Creates a progress value.
    public init(percent: Double = 0, estimatedSecondsRemaining: Double? = nil, updatedAt: Date? = nil) {
        self.percent = percent
        self.estimatedSecondsRemaining = estimatedSecondsRemaining
        self.updatedAt = updatedAt
    }

    /// The estimate as of `now`: the stored estimate less the time that has passed since it was made.
    public func remainingSeconds(at now: Date) -> Double? {
        guard let estimate = estimatedSecondsRemaining else { return nil }
        guard let updatedAt else { return estimate }
        return max(0, estimate - now.timeIntervalSince(updatedAt))
    }
}

/// Why an attempt failed.
public struct JobFailure: Sendable, Hashable, Codable {
    /// A stable machine-readable code, e.g. `handler_error`, `timeout`, `lease_expired`.
    public var code: String
    /// A human-readable explanation.
    public var message: String

    /// Creates a failure.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// Where a job's result file is and what it holds.
public struct JobResult: Sendable, Hashable, Codable {
    /// The key of the object in the result store.
    public var key: String
    /// Its size in bytes.
    public var size: Int64
    /// Lower-case hex SHA-256 of its bytes.
    public var sha256: String
    /// Its media type, e.g. `text/csv`.
    public var contentType: String
    /// The file name a client should save it under.
    public var fileName: String

    /// Creates a result description.
    public init(key: String, size: Int64, sha256: String, contentType: String, fileName: String) {
        self.key = key
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.fileName = fileName
    }
}
