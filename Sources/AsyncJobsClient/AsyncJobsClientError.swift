public import Foundation

/// Why a client call did not succeed.
///
/// A struct with an extensible ``Code`` rather than an enum, so new kinds of failure can be added
/// without breaking callers. Switch on ``code`` and read the context that goes with it:
///
/// ```swift
/// do {
///     let result = try await client.waitForResult(statusURL, to: file)
/// } catch let error as AsyncJobsClientError where error.code == .jobFailed {
///     print("the job failed:", error.jobError?.message ?? error.message)
/// }
/// ```
public struct AsyncJobsClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public var rawValue: String

        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The job finished with status `failed`; ``AsyncJobsClientError/jobError`` has the server's error.
        public static let jobFailed = Code(rawValue: "jobFailed")
        /// The job finished with status `cancelled`.
        public static let jobCancelled = Code(rawValue: "jobCancelled")
        /// Polling reached its maximum duration before the job finished.
        public static let timedOut = Code(rawValue: "timedOut")
        /// The result link answered 403 and no fresh link could be had from the status URL.
        public static let linkExpired = Code(rawValue: "linkExpired")
        /// The result link kept answering 404 (not yet available, or deleted).
        public static let resultNotFound = Code(rawValue: "resultNotFound")
        /// The downloaded bytes do not match the size or checksum the server announced.
        public static let integrityCheckFailed = Code(rawValue: "integrityCheckFailed")
        /// The server answered with an HTTP error; ``AsyncJobsClientError/problem`` has its problem details.
        public static let httpError = Code(rawValue: "httpError")
        /// A SOAP endpoint answered with a Fault; the message holds its code and text.
        public static let soapFault = Code(rawValue: "soapFault")
        /// The server could not be reached, or the connection broke, more times than the policy allows.
        public static let transport = Code(rawValue: "transport")
        /// The server's answer could not be understood.
        public static let invalidResponse = Code(rawValue: "invalidResponse")
        /// The client is missing something it needs (a server URL, credentials).
        public static let configuration = Code(rawValue: "configuration")
        /// The local file could not be written.
        public static let fileSystem = Code(rawValue: "fileSystem")

        public var description: String { rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence saying what happened.
    public var message: String
    /// The HTTP status, for ``Code/httpError`` and the download codes.
    public var httpStatus: Int?
    /// The RFC 9457 problem details the server sent with an HTTP error, if any.
    public var problem: ProblemDetails?
    /// The last status seen, for the job-related codes.
    public var lastStatus: JobStatus?
    /// The underlying error (a transport or file-system error).
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What happened.
    ///   - httpStatus: The HTTP status, if one was received.
    ///   - problem: The problem details the server sent.
    ///   - lastStatus: The last job status seen.
    ///   - underlying: The error that caused this one.
    public init(
        _ code: Code,
        _ message: String,
        httpStatus: Int? = nil,
        problem: ProblemDetails? = nil,
        lastStatus: JobStatus? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.problem = problem
        self.lastStatus = lastStatus
        self.underlying = underlying
    }

    /// The server's error for a failed (or cancelled) job: `{code, message}` from the status response.
    public var jobError: JobStatus.Failure? { lastStatus?.error }

    public var description: String {
        var text = "\(code): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
