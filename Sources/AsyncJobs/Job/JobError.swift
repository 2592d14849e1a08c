/// An error raised by the job engine or a store.
///
/// The ``code`` is stable and machine-readable; the server maps it to an HTTP status and a problem type.
public struct JobError: Error, Sendable, CustomStringConvertible {
    /// A stable, extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// No job with that id is visible to the caller.
        public static let jobNotFound = Code("job_not_found")
        /// The idempotency key was used before with a different request.
        public static let idempotencyKeyReused = Code("idempotency_key_reused")
        /// No handler is registered for the job type.
        public static let unknownJobType = Code("unknown_job_type")
        /// A parameter is missing, has the wrong type or is out of range.
        public static let invalidParameters = Code("invalid_parameters")
        /// A tenant with that name already exists.
        public static let tenantExists = Code("tenant_exists")
        /// The store could not be opened, migrated or read.
        public static let storage = Code("storage")
        /// A result could not be written or read.
        public static let resultStorage = Code("result_storage")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A message for humans.
    public var message: String
    /// The job concerned, if any.
    public var jobID: JobID?
    /// The parameter concerned, for ``Code/invalidParameters``.
    public var field: String?
    /// The error that caused this one.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, jobID: JobID? = nil, field: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.jobID = jobID
        self.field = field
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let jobID { text += " (job \(jobID))" }
        if let underlying { text += " [\(underlying)]" }
        return text
    }
}
