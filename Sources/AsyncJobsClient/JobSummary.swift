public import Foundation

/// A job as `GET /v1/jobs/{id}` and the listing show it (this server's resource, beyond the seed's contract).
public struct JobSummary: Sendable, Hashable, Codable {
    /// The stored result of a completed job.
    public struct Result: Sendable, Hashable, Codable {
        /// Size in bytes.
        public var size: Int64
        /// Lower-case hex SHA-256 of the bytes.
        public var sha256: String
        /// Media type.
        public var contentType: String
        /// Suggested file name.
        public var fileName: String
    }

    /// The server's error for a failed or cancelled job.
    public struct Failure: Sendable, Hashable, Codable {
        /// A stable code.
        public var code: String
        /// What went wrong.
        public var message: String
    }

    /// The job's id.
    public var jobId: String
    /// The job type.
    public var type: String
    /// The seed status: processing, completed, failed, cancelled.
    public var status: String
    /// The internal state: queued, running, succeeded, failed, cancelled.
    public var state: String
    /// Which attempt runs or ran last.
    public var attempt: Int
    /// How many attempts the job may take.
    public var maxAttempts: Int
    /// Progress, 0–100.
    public var percentCompleted: Double
    /// Seconds left, by the server's estimate, while running.
    public var estRemainingDuration: Double?
    /// When it was submitted.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When it finished.
    public var finishedAt: Date?
    /// The error, when failed or cancelled.
    public var error: Failure?
    /// The result, when completed.
    public var result: Result?
    /// Its status URL.
    public var statusUrl: URL
}

/// One page of `GET /v1/jobs`.
struct JobPage: Decodable {
    var jobs: [JobSummary]
    var nextCursor: String?
}
