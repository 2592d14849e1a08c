public import Foundation

/// The answer to a submission: where to poll.
public struct SubmittedJob: Sendable, Hashable {
    /// The job's id.
    public var jobID: String
    /// The status URL to poll (the `Location` header of the 202).
    public var statusURL: URL
    /// The idempotency key the submission was sent with; sending it again returns the same job.
    public var idempotencyKey: String
    /// Whether the server answered with an earlier submission's job (`Idempotent-Replayed: true`).
    public var replayed: Bool
    /// How long the server asked the client to wait before the first poll.
    public var retryAfter: Duration?

    /// Creates a submitted job.
    public init(jobID: String, statusURL: URL, idempotencyKey: String, replayed: Bool = false, retryAfter: Duration? = nil) {
        self.jobID = jobID
        self.statusURL = statusURL
        self.idempotencyKey = idempotencyKey
        self.replayed = replayed
        self.retryAfter = retryAfter
    }
}
