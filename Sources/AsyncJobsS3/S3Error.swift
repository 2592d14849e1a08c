/// An error from the S3 result store: a stable code, a message, and the HTTP status S3 answered.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// A stable, extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The `s3://` location or one of its options is malformed.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// No credentials were found in the environment.
        public static let missingCredentials = Code("missing_credentials")
        /// S3 answered with an error status.
        public static let requestFailed = Code("request_failed")
        /// S3 answered with a body we could not understand.
        public static let invalidResponse = Code("invalid_response")
        /// The request could not reach S3, even after retries.
        public static let connection = Code("connection")

        public var description: String { rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A message for humans; never holds a secret.
    public var message: String
    /// The HTTP status, when S3 answered.
    public var status: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String {
        "\(code): \(message)" + (status.map { " (HTTP \($0))" } ?? "")
    }
}
