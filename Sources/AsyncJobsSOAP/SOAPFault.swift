/// A failure answered as a SOAP 1.1 Fault in NetSuite's shape: `soapenv:Server.userException` with a
/// `platformFaults` detail naming a fault type and code, and HTTP 500.
public struct SOAPFault: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as NetSuite's fault type and code.
    public struct Code: Sendable, Hashable {
        /// The detail element, e.g. `invalidCredentialsFault`.
        public var faultType: String
        /// The `platformFaults:code`, e.g. `INVALID_LOGIN_ATTEMPT`.
        public var code: String

        /// Creates a code.
        public init(faultType: String, code: String) {
            self.faultType = faultType
            self.code = code
        }

        /// Authentication failed; deliberately says nothing about which part was wrong.
        public static let invalidLogin = Code(faultType: "invalidCredentialsFault", code: "INVALID_LOGIN_ATTEMPT")
        /// The signature algorithm is not accepted (HMAC-SHA1, which NetSuite retired).
        public static let unsupportedAlgorithm = Code(faultType: "invalidCredentialsFault", code: "UNSUPPORTED_SIGNATURE_ALGORITHM")
        /// No such job for this account, or it was purged.
        public static let invalidJobID = Code(faultType: "asyncFault", code: "INVALID_JOBID")
        /// The request is malformed, unsafe, too large or lacks a required element.
        public static let invalidRequest = Code(faultType: "invalidRequestFault", code: "INVALID_REQUEST")
        /// The body names an operation this endpoint does not have.
        public static let unknownOperation = Code(faultType: "invalidRequestFault", code: "UNKNOWN_OPERATION")
        /// A value in the request is not acceptable (unknown job type, bad parameters, page out of range).
        public static let invalidValue = Code(faultType: "invalidRequestFault", code: "INVALID_VALUE")
        /// The job exists but has no result to return yet, or failed.
        public static let resultNotAvailable = Code(faultType: "asyncFault", code: "ASYNC_RESULT_NOT_AVAILABLE")
        /// Something failed on our side; the message carries no internals.
        public static let unexpectedError = Code(faultType: "unexpectedErrorFault", code: "UNEXPECTED_ERROR")
    }

    /// The fault type and code.
    public var code: Code
    /// The human-readable message (`faultstring` and `platformFaults:message`).
    public var message: String

    /// Creates a fault.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.code): \(message)" }
}
