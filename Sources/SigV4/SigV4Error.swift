/// A signing or verification failure.
///
/// Besides a stable ``code`` for program logic, each error carries what an
/// S3-compatible server needs to answer the client: the S3 error code string,
/// the HTTP status and any extra elements S3 puts in its XML error body. Render
/// it with ``S3ErrorXML``.
///
/// ```swift
/// do {
///     _ = try verifier.verify(method: "GET", path: path, query: query, host: host, now: .now)
/// } catch {
///     let body = S3ErrorXML(error).render()
///     // respond with error.httpStatus and body
/// }
/// ```
public struct SigV4Error: Error, Sendable, Hashable {
    /// What went wrong, independent of wording.
    ///
    /// A struct rather than an enum so new codes can be added without breaking
    /// exhaustive `switch` statements in callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short identifier such as `"expired"`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The presigned URL's lifetime (`X-Amz-Date` + `X-Amz-Expires`) has passed.
        public static let expired = Code("expired")
        /// `X-Amz-Date` lies further in the future than the allowed clock skew.
        public static let notYetValid = Code("notYetValid")
        /// The recomputed signature differs from `X-Amz-Signature`.
        public static let signatureMismatch = Code("signatureMismatch")
        /// A required parameter is missing, duplicated or unparsable, or the
        /// credential scope does not match what this endpoint serves.
        public static let malformed = Code("malformed")
        /// `X-Amz-Algorithm` is something other than `AWS4-HMAC-SHA256`.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The access key ID in `X-Amz-Credential` is not known.
        public static let unknownAccessKey = Code("unknownAccessKey")
        /// `X-Amz-Security-Token` is missing, unexpected or wrong for the access key.
        public static let invalidToken = Code("invalidToken")
        /// The signer was called with unusable input (bad URL, expiry out of range…).
        public static let invalidArgument = Code("invalidArgument")

        /// The ``name``.
        public var description: String { name }
    }

    /// An extra named value S3 reports next to `Code` and `Message`, such as
    /// `<Expires>` for an expired URL.
    public struct Detail: Hashable, Sendable {
        /// The XML element name, for example `"ServerTime"`.
        public var name: String
        /// The element's text content, unescaped.
        public var value: String

        /// Creates a detail; `name` must be a valid XML element name.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation, worded like S3's where S3 has a message.
    public var message: String
    /// The S3 error code string, such as `AccessDenied` or `SignatureDoesNotMatch`.
    public var s3Code: String
    /// The HTTP status S3 answers this error with (400 or 403).
    public var httpStatus: Int
    /// Extra elements for the S3 XML error body, in S3's order.
    public var details: [Detail]

    /// Creates an error from its parts.
    public init(code: Code, message: String, s3Code: String, httpStatus: Int, details: [Detail] = []) {
        self.code = code
        self.message = message
        self.s3Code = s3Code
        self.httpStatus = httpStatus
        self.details = details
    }

    /// The value of the detail called `name`, if present.
    public func detail(_ name: String) -> String? {
        details.first { $0.name == name }?.value
    }
}

extension SigV4Error: CustomStringConvertible {
    /// `code (S3Code): message`.
    public var description: String {
        "\(code) (\(s3Code)): \(message)"
    }
}
