/// Constructors that word each failure the way S3 does, where S3 has wording.
extension SigV4Error {
    static let credentialFormat = "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\""

    private static func queryParameters(_ message: String, code: Code = .malformed, details: [Detail] = []) -> SigV4Error {
        SigV4Error(code: code, message: message, s3Code: "AuthorizationQueryParametersError", httpStatus: 400, details: details)
    }

    static var missingAuthenticationParameters: SigV4Error {
        queryParameters(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    }

    /// S3 has no documented wording for this; a repeated parameter would make
    /// it ambiguous which value was signed, so it is refused outright.
    static func duplicatedParameter(_ name: String) -> SigV4Error {
        queryParameters("Query-string authentication version 4 parameters must appear only once; \(name) is repeated.")
    }

    static func unsupportedAlgorithm(_ value: String) -> SigV4Error {
        queryParameters("X-Amz-Algorithm only supports \"\(SigV4.algorithm)\"", code: .unsupportedAlgorithm)
    }

    static var malformedCredential: SigV4Error {
        queryParameters("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \(credentialFormat).")
    }

    static func credentialDateFormat(_ value: String) -> SigV4Error {
        queryParameters(
            "Error parsing the X-Amz-Credential parameter; incorrect date format \"\(value)\". This date in the credential must be in the format \"yyyyMMdd\"."
        )
    }

    static func credentialTerminal(_ value: String) -> SigV4Error {
        queryParameters(
            "Error parsing the X-Amz-Credential parameter; incorrect terminal \"\(value)\". This endpoint uses \"\(SigV4.scopeTerminator)\"."
        )
    }

    static func wrongRegion(_ value: String, expected: String) -> SigV4Error {
        queryParameters(
            "Error parsing the X-Amz-Credential parameter; the region '\(value)' is wrong; expecting '\(expected)'",
            details: [Detail(name: "Region", value: expected)]
        )
    }

    static func wrongService(_ value: String, expected: String) -> SigV4Error {
        queryParameters(
            "Error parsing the X-Amz-Credential parameter; incorrect service \"\(value)\". This endpoint belongs to \"\(expected)\"."
        )
    }

    static var malformedDate: SigV4Error {
        queryParameters("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    }

    static var credentialDateMismatch: SigV4Error {
        queryParameters("Invalid credential date. Date is not the same as X-Amz-Date.")
    }

    static var expiresNotANumber: SigV4Error {
        queryParameters("X-Amz-Expires should be a number")
    }

    static var expiresNegative: SigV4Error {
        queryParameters("X-Amz-Expires must be non-negative")
    }

    /// S3 accepts zero and then reports the URL as expired; this module
    /// requires the documented minimum of one second instead.
    static var expiresZero: SigV4Error {
        queryParameters("X-Amz-Expires must be at least 1 second")
    }

    static var expiresTooLarge: SigV4Error {
        queryParameters(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than \(SigV4.maximumExpiry) seconds"
        )
    }

    static func headersNotSigned(_ names: [String]) -> SigV4Error {
        SigV4Error(
            code: .malformed,
            message: "There were headers present in the request which were not signed",
            s3Code: "AccessDenied",
            httpStatus: 403,
            details: [Detail(name: "HeadersNotSigned", value: names.joined(separator: ", "))]
        )
    }

    static func malformedSignedHeaders(_ value: String) -> SigV4Error {
        queryParameters("X-Amz-SignedHeaders must be a ;-separated list of lowercase header names, got \"\(value)\".")
    }

    /// A header named in `X-Amz-SignedHeaders` whose value the caller did not supply.
    static func missingSignedHeader(_ name: String) -> SigV4Error {
        queryParameters("X-Amz-SignedHeaders names \"\(name)\", but the request does not carry that header.")
    }

    static func unknownAccessKey(_ accessKeyID: String) -> SigV4Error {
        SigV4Error(
            code: .unknownAccessKey,
            message: "The AWS Access Key Id you provided does not exist in our records.",
            s3Code: "InvalidAccessKeyId",
            httpStatus: 403,
            details: [Detail(name: "AWSAccessKeyId", value: accessKeyID)]
        )
    }

    static var invalidToken: SigV4Error {
        SigV4Error(
            code: .invalidToken,
            message: "The provided token is malformed or otherwise invalid.",
            s3Code: "InvalidToken",
            httpStatus: 400
        )
    }

    static func expired(expiresParameter: String, expiresAt: AmzDate, now: AmzDate) -> SigV4Error {
        SigV4Error(
            code: .expired,
            message: "Request has expired",
            s3Code: "AccessDenied",
            httpStatus: 403,
            details: [
                Detail(name: "X-Amz-Expires", value: expiresParameter),
                Detail(name: "Expires", value: expiresAt.iso8601),
                Detail(name: "ServerTime", value: now.iso8601),
            ]
        )
    }

    /// S3 reports `X-Amz-Date` here as epoch milliseconds; the request's own
    /// `yyyyMMdd'T'HHmmss'Z'` value is more useful and is what this module sends.
    static func notYetValid(amzDateParameter: String, expiresAt: AmzDate, now: AmzDate) -> SigV4Error {
        SigV4Error(
            code: .notYetValid,
            message: "Request is not yet valid",
            s3Code: "AccessDenied",
            httpStatus: 403,
            details: [
                Detail(name: "X-Amz-Date", value: amzDateParameter),
                Detail(name: "Expires", value: expiresAt.iso8601),
                Detail(name: "ServerTime", value: now.iso8601),
            ]
        )
    }

    /// Carries the same diagnostics S3 does; none of them is secret, and they
    /// let a client compare its canonical request with the server's.
    static func signatureMismatch(
        accessKeyID: String,
        stringToSign: String,
        signatureProvided: String,
        canonicalRequest: String
    ) -> SigV4Error {
        SigV4Error(
            code: .signatureMismatch,
            message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            s3Code: "SignatureDoesNotMatch",
            httpStatus: 403,
            details: [
                Detail(name: "AWSAccessKeyId", value: accessKeyID),
                Detail(name: "StringToSign", value: stringToSign),
                Detail(name: "SignatureProvided", value: signatureProvided),
                Detail(name: "StringToSignBytes", value: spacedHex(stringToSign)),
                Detail(name: "CanonicalRequest", value: canonicalRequest),
                Detail(name: "CanonicalRequestBytes", value: spacedHex(canonicalRequest)),
            ]
        )
    }

    static func invalidArgument(_ message: String) -> SigV4Error {
        SigV4Error(code: .invalidArgument, message: message, s3Code: "InvalidArgument", httpStatus: 400)
    }

    /// `41 57 53 34`: S3's byte dump of a string.
    private static func spacedHex(_ text: String) -> String {
        text.utf8.map { Hex.encode(CollectionOfOne($0)) }.joined(separator: " ")
    }
}
