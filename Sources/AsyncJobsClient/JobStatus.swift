public import Foundation

/// One answer of a status URL: the REST seed's "GET Async Status" fields, plus the optional extras
/// (`jobId`, `percentCompleted`, `estRemainingDuration`, `error`) and the `Retry-After` header.
///
/// Only `status` is required, so a status from any server that speaks the seed's contract decodes.
public struct JobStatus: Sendable, Hashable {
    /// The seed's `status`: `processing`, `completed`, `failed` or `cancelled`.
    ///
    /// A struct rather than an enum so that a status this client does not know yet still decodes; an
    /// unknown status counts as not terminal, so polling goes on.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The status as the server spelled it.
        public var rawValue: String

        /// Creates a status.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Still running; poll again.
        public static let processing = Status(rawValue: "processing")
        /// Done; `resultUrl` points at the result.
        public static let completed = Status(rawValue: "completed")
        /// Finished without a result.
        public static let failed = Status(rawValue: "failed")
        /// Cancelled before it finished.
        public static let cancelled = Status(rawValue: "cancelled")

        /// Whether the job will never change again.
        public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }

        public var description: String { rawValue }
    }

    /// The server's error for a failed or cancelled job.
    public struct Failure: Sendable, Hashable {
        /// A stable code, e.g. `demo_failure` or `lease_expired`.
        public var code: String?
        /// What went wrong, in the server's words.
        public var message: String

        /// Creates a failure.
        public init(code: String?, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The status URL this answer came from.
    public var statusURL: URL
    /// The job's status.
    public var status: Status
    /// The pre-signed download URL (when completed).
    public var resultURL: URL?
    /// How long ``resultURL`` stays valid from when the answer was received.
    public var resultURLExpiresIn: Duration?
    /// The job's id, when the server says.
    public var jobID: String?
    /// Progress, 0–100, when the server says.
    public var percentCompleted: Double?
    /// The server's estimate of the time left, when it has one.
    public var estimatedTimeRemaining: Duration?
    /// The server's error, for a failed or cancelled job.
    public var error: Failure?
    /// How long the server asked the client to wait before polling again (`Retry-After`).
    public var retryAfter: Duration?

    /// Creates a status.
    public init(
        statusURL: URL,
        status: Status,
        resultURL: URL? = nil,
        resultURLExpiresIn: Duration? = nil,
        jobID: String? = nil,
        percentCompleted: Double? = nil,
        estimatedTimeRemaining: Duration? = nil,
        error: Failure? = nil,
        retryAfter: Duration? = nil
    ) {
        self.statusURL = statusURL
        self.status = status
        self.resultURL = resultURL
        self.resultURLExpiresIn = resultURLExpiresIn
        self.jobID = jobID
        self.percentCompleted = percentCompleted
        self.estimatedTimeRemaining = estimatedTimeRemaining
        self.error = error
        self.retryAfter = retryAfter
    }

    /// Decodes a status body. Fields of the wrong type are ignored rather than fatal, except `status`.
    init(body: Data, statusURL: URL, retryAfter: Duration?) throws {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let status = object["status"] as? String
        else {
            throw AsyncJobsClientError(.invalidResponse, "the status response from \(statusURL.redactedForLogs) has no 'status' string")
        }
        self.init(statusURL: statusURL, status: Status(rawValue: status), retryAfter: retryAfter)
        resultURL = (object["resultUrl"] as? String).flatMap(URL.init(string:))
        resultURLExpiresIn = (object["resultUrlExpiresInSeconds"] as? NSNumber).map { .seconds($0.doubleValue) }
        jobID = object["jobId"] as? String
        percentCompleted = (object["percentCompleted"] as? NSNumber)?.doubleValue
        estimatedTimeRemaining = (object["estRemainingDuration"] as? NSNumber).map { .seconds(max(0, $0.doubleValue)) }
        switch object["error"] {
        case let error as [String: Any]:
            let message = error["message"] as? String ?? error["detail"] as? String ?? "no message"
            self.error = Failure(code: error["code"] as? String, message: message)
        case let message as String:
            self.error = Failure(code: nil, message: message)
        default:
            break
        }
    }
}

extension URL {
    /// The URL without its query, for messages: a pre-signed URL's query is a credential.
    var redactedForLogs: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "(url)" }
        if components.query != nil { components.query = "…" }
        components.user = nil
        components.password = nil
        return components.string ?? "(url)"
    }
}
