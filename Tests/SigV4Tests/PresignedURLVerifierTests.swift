import Foundation
import Testing
@testable import SigV4

@Suite struct PresignedURLVerifierTests {
    static let credentials = SigV4Credentials(accessKeyID: "AKIDJOBS", secretAccessKey: "secret/with+chars")
    static let signer = SigV4Signer(credentials: credentials, region: "eu-west-3", service: "s3")
    static let verifier = PresignedURLVerifier(signer: signer)
    /// 2025-03-01T10:00:00Z.
    static let signedAt = Date(timeIntervalSince1970: 1_740_823_200)
    static let host = "127.0.0.1:8080"
    static let path = "/jobs/42/result.json"

    /// The raw query of a URL presigned by ``signer``.
    static func query(expires: Int = 300, date: Date = signedAt, signer: SigV4Signer = signer) throws -> String {
        let url = try signer.presignedURL(url: URL(string: "http://\(host)\(path)")!, expires: expires, date: date)
        return try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
    }

    /// Replaces the value of `name` in a raw query.
    static func replacing(_ name: String, with value: String, in query: String) -> String {
        query.split(separator: "&").map { pair in
            pair.hasPrefix("\(name)=") ? "\(name)=\(value)" : String(pair)
        }.joined(separator: "&")
    }

    static func removing(_ name: String, from query: String) -> String {
        query.split(separator: "&").filter { !$0.hasPrefix("\(name)=") }.joined(separator: "&")
    }

    func verify(
        _ query: String,
        path: String = Self.path,
        host: String = Self.host,
        headers: [String: String] = [:],
        now: Date = Self.signedAt.addingTimeInterval(10),
        verifier: PresignedURLVerifier = Self.verifier
    ) throws(SigV4Error) -> PresignedURLVerifier.Verified {
        try verifier.verify(method: "GET", path: path, query: query, host: host, headers: headers, now: now)
    }

    @Test func acceptsItsOwnSignersURL() throws {
        let verified = try verify(try Self.query())
        #expect(verified.accessKeyID == "AKIDJOBS")
        #expect(verified.signedAt == Self.signedAt)
        #expect(verified.expiresAt == Self.signedAt.addingTimeInterval(300))
        #expect(verified.secondsRemaining(at: Self.signedAt.addingTimeInterval(10)) == 290)
        #expect(verified.secondsRemaining(at: Self.signedAt.addingTimeInterval(1_000)) == 0)
    }

    @Test(arguments: ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"])
    func missingParameterIsMalformed(_ name: String) throws {
        let error = verificationError { try verify(Self.removing(name, from: try Self.query())) }
        #expect(error?.code == .malformed)
        #expect(error?.s3Code == "AuthorizationQueryParametersError")
        #expect(error?.httpStatus == 400)
        #expect(error?.message == "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
    }

    @Test func emptyParameterCountsAsMissing() throws {
        let error = verificationError { try verify(Self.replacing("X-Amz-Date", with: "", in: try Self.query())) }
        #expect(error?.message.hasPrefix("Query-string authentication version 4 requires") == true)
    }

    @Test(arguments: ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"])
    func duplicatedParameterIsMalformed(_ name: String) throws {
        let query = try Self.query()
        let pair = try #require(query.split(separator: "&").first { $0.hasPrefix("\(name)=") })
        let error = verificationError { try verify(query + "&" + pair) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("\(name) is repeated") == true)
    }

    @Test func duplicatedParameterIsDetectedThroughPercentEncoding() throws {
        // `X-Amz-Dat%65` decodes to X-Amz-Date and must not slip past as a second value.
        let error = verificationError { try verify(try Self.query() + "&X-Amz-Dat%65=20250301T100000Z") }
        #expect(error?.code == .malformed)
    }

    @Test func wrongAlgorithmIsRefused() throws {
        let error = verificationError {
            try verify(Self.replacing("X-Amz-Algorithm", with: "AWS4-HMAC-SHA1", in: try Self.query()))
        }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(error?.s3Code == "AuthorizationQueryParametersError")
        #expect(error?.message == "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
    }

    @Test func credentialScopeDateMustEqualTheRequestDate() throws {
        let query = Self.replacing(
            "X-Amz-Credential", with: "AKIDJOBS%2F20250302%2Feu-west-3%2Fs3%2Faws4_request", in: try Self.query()
        )
        let error = verificationError { try verify(query) }
        #expect(error?.code == .malformed)
        #expect(error?.message == "Invalid credential date. Date is not the same as X-Amz-Date.")
    }

    @Test(arguments: [
        ("AKIDJOBS%2F20250301%2Feu-west-3%2Fs3", "the Credential is mal-formed"),
        ("AKIDJOBS%2F20250301%2Feu-west-3%2Fs3%2Faws4_request%2Fx", "the Credential is mal-formed"),
        ("%2F20250301%2Feu-west-3%2Fs3%2Faws4_request", "the Credential is mal-formed"),
        ("AKIDJOBS%2F2025-03-01%2Feu-west-3%2Fs3%2Faws4_request", "incorrect date format \"2025-03-01\""),
        ("AKIDJOBS%2F20250231%2Feu-west-3%2Fs3%2Faws4_request", "incorrect date format \"20250231\""),
        ("AKIDJOBS%2F20250301%2Feu-west-3%2Fs3%2Faws5_request", "incorrect terminal \"aws5_request\""),
        ("AKIDJOBS%2F20250301%2Fus-east-1%2Fs3%2Faws4_request", "the region 'us-east-1' is wrong; expecting 'eu-west-3'"),
        ("AKIDJOBS%2F20250301%2Feu-west-3%2Fsqs%2Faws4_request", "incorrect service \"sqs\". This endpoint belongs to \"s3\"."),
    ])
    func badCredentialIsMalformed(credential: String, messageFragment: String) throws {
        let error = verificationError { try verify(Self.replacing("X-Amz-Credential", with: credential, in: try Self.query())) }
        #expect(error?.code == .malformed)
        #expect(error?.s3Code == "AuthorizationQueryParametersError")
        #expect(error?.message.contains(messageFragment) == true, "\(error?.message ?? "no error")")
    }

    @Test func wrongRegionReportsTheExpectedRegion() throws {
        let query = Self.replacing("X-Amz-Credential", with: "AKIDJOBS%2F20250301%2Fus-east-1%2Fs3%2Faws4_request", in: try Self.query())
        #expect(verificationError { try verify(query) }?.detail("Region") == "eu-west-3")
    }

    @Test(arguments: ["2025-03-01T10:00:00Z", "20250301T100000", "20250301T250000Z", "20250230T100000Z", "20250301t100000z"])
    func badDateIsMalformed(_ date: String) throws {
        let query = Self.replacing("X-Amz-Date", with: date, in: try Self.query())
        let error = verificationError { try verify(query) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("ISO8601") == true || error?.message.contains("credential date") == true)
    }

    @Test(arguments: [
        ("0", "X-Amz-Expires must be at least 1 second"),
        ("604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"),
        ("99999999999999999999999", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"),
        ("-5", "X-Amz-Expires must be non-negative"),
        ("5m", "X-Amz-Expires should be a number"),
        ("+5", "X-Amz-Expires should be a number"),
        ("1.5", "X-Amz-Expires should be a number"),
    ])
    func expiresOutOfRangeIsMalformed(value: String, message: String) throws {
        let error = verificationError { try verify(Self.replacing("X-Amz-Expires", with: value, in: try Self.query())) }
        #expect(error?.code == .malformed)
        #expect(error?.s3Code == "AuthorizationQueryParametersError")
        #expect(error?.message == message)
    }

    @Test func expiryBoundariesAreInclusive() throws {
        let query = try Self.query(expires: 1)
        _ = try verify(query, now: Self.signedAt.addingTimeInterval(1))
        let error = verificationError { try verify(query, now: Self.signedAt.addingTimeInterval(1.001)) }
        #expect(error?.code == .expired)
        let week = try Self.query(expires: 604_800)
        _ = try verify(week, now: Self.signedAt.addingTimeInterval(604_800))
    }

    @Test func expiredErrorCarriesS3sExtraElements() throws {
        let error = try #require(verificationError {
            try verify(try Self.query(), now: Self.signedAt.addingTimeInterval(3_600))
        })
        #expect(error.code == .expired)
        #expect(error.httpStatus == 403)
        #expect(error.details == [
            SigV4Error.Detail(name: "X-Amz-Expires", value: "300"),
            SigV4Error.Detail(name: "Expires", value: "2025-03-01T10:05:00Z"),
            SigV4Error.Detail(name: "ServerTime", value: "2025-03-01T11:00:00Z"),
        ])
    }

    @Test func futureDateBeyondTheSkewIsRefused() throws {
        let query = try Self.query(date: Self.signedAt.addingTimeInterval(15 * 60 + 1))
        let error = verificationError { try verify(query, now: Self.signedAt) }
        #expect(error?.code == .notYetValid)
        #expect(error?.s3Code == "AccessDenied")
        #expect(error?.message == "Request is not yet valid")
    }

    @Test func futureDateWithinTheSkewIsAccepted() throws {
        let query = try Self.query(date: Self.signedAt.addingTimeInterval(15 * 60))
        let verified = try verify(query, now: Self.signedAt)
        #expect(verified.secondsRemaining(at: Self.signedAt) == 15 * 60 + 300)
    }

    @Test func unknownAccessKeyIsRefused() throws {
        let other = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "AKIDOTHER", secretAccessKey: "x"), region: "eu-west-3"
        )
        let error = verificationError { try verify(try Self.query(signer: other)) }
        #expect(error?.code == .unknownAccessKey)
        #expect(error?.s3Code == "InvalidAccessKeyId")
        #expect(error?.detail("AWSAccessKeyId") == "AKIDOTHER")
    }

    @Test func wrongSecretIsASignatureMismatchWithS3Diagnostics() throws {
        let impostor = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "AKIDJOBS", secretAccessKey: "guessed"), region: "eu-west-3"
        )
        let error = try #require(verificationError { try verify(try Self.query(signer: impostor)) })
        #expect(error.code == .signatureMismatch)
        #expect(error.s3Code == "SignatureDoesNotMatch")
        #expect(error.message == "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        #expect(error.details.map(\.name) == ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"])
        #expect(error.detail("CanonicalRequest")?.hasPrefix("GET\n/jobs/42/result.json\n") == true)
        #expect(error.detail("StringToSignBytes")?.hasPrefix("41 57 53 34 2d") == true)
    }

    @Test(arguments: ["", "ZZZZ", "AEEED9BBCCD4D02EE5C0109B86D86835F995330DA4C265957D157751F604D404"])
    func garbageSignatureIsAMismatch(_ signature: String) throws {
        let query = Self.replacing("X-Amz-Signature", with: signature, in: try Self.query())
        let error = verificationError { try verify(query) }
        #expect(error?.code == (signature.isEmpty ? .malformed : .signatureMismatch))
    }

    @Test func uppercaseCopyOfTheRealSignatureIsRejected() throws {
        let query = try Self.query()
        let signature = try #require(query.split(separator: "&").last?.split(separator: "=").last)
        let error = verificationError { try verify(Self.replacing("X-Amz-Signature", with: signature.uppercased(), in: query)) }
        #expect(error?.code == .signatureMismatch)
    }

    @Test func equivalentPathEncodingsVerify() throws {
        let url = try Self.signer.presignedURL(
            url: URL(string: "http://\(Self.host)/jobs/~user/r%C3%A9sum%C3%A9%20final.pdf")!, expires: 300, date: Self.signedAt
        )
        let query = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
        for path in ["/jobs/~user/r%C3%A9sum%C3%A9%20final.pdf", "/jobs/%7Euser/r%c3%a9sum%c3%a9%20final.pdf", "/jobs/%7euser/r%C3%A9sum%C3%A9%20fin%61l.pdf"] {
            _ = try verify(query, path: path)
        }
        // An encoded slash is a different object key from a real one.
        let error = verificationError { try verify(query, path: "/jobs%2F~user/r%C3%A9sum%C3%A9%20final.pdf") }
        #expect(error?.code == .signatureMismatch)
    }

    @Test func hostMustBeSigned() throws {
        let query = Self.replacing("X-Amz-SignedHeaders", with: "x-amz-meta-a", in: try Self.query())
        let error = verificationError { try verify(query, headers: ["x-amz-meta-a": "1"]) }
        #expect(error?.code == .malformed)
        #expect(error?.s3Code == "AccessDenied")
        #expect(error?.detail("HeadersNotSigned") == "host")
    }

    @Test func otherSignedHeadersNeedTheirValues() throws {
        let url = try Self.signer.presignedURL(
            url: URL(string: "http://\(Self.host)\(Self.path)")!,
            expires: 300,
            date: Self.signedAt,
            signedHeaders: ["X-Amz-Meta-Job": "42", "Range": "bytes=0-9"]
        )
        let query = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
        #expect(query.contains("X-Amz-SignedHeaders=host%3Brange%3Bx-amz-meta-job&"))

        let missing = verificationError { try verify(query, headers: ["x-amz-meta-job": "42"]) }
        #expect(missing?.code == .malformed)
        #expect(missing?.message.contains("\"range\"") == true)

        let verified = try verify(query, headers: ["RANGE": "bytes=0-9", "X-Amz-Meta-Job": " 42 "])
        #expect(verified.signedHeaders == ["host", "range", "x-amz-meta-job"])

        let wrong = verificationError { try verify(query, headers: ["range": "bytes=0-99", "x-amz-meta-job": "42"]) }
        #expect(wrong?.code == .signatureMismatch)
    }

    @Test(arguments: ["Host", "host;;range", "host;x amz"])
    func malformedSignedHeaderListIsRefused(_ list: String) throws {
        let query = Self.replacing("X-Amz-SignedHeaders", with: list.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? list, in: try Self.query())
        let error = verificationError { try verify(query) }
        #expect(error?.code == .malformed)
    }

    @Test func sessionTokenMustMatch() throws {
        let withToken = SigV4Credentials(accessKeyID: "ASIAJOBS", secretAccessKey: "s", sessionToken: "tok/en+=")
        let signer = SigV4Signer(credentials: withToken, region: "eu-west-3")
        let verifier = PresignedURLVerifier(signer: signer)
        let query = try Self.query(signer: signer)
        #expect(query.contains("X-Amz-Security-Token=tok%2Fen%2B%3D&"))
        _ = try verify(query, verifier: verifier)

        let wrong = verificationError { try verify(Self.replacing("X-Amz-Security-Token", with: "tok%2Fen%2B%3E", in: query), verifier: verifier) }
        #expect(wrong?.code == .invalidToken)
        #expect(wrong?.s3Code == "InvalidToken")
        let missing = verificationError { try verify(Self.removing("X-Amz-Security-Token", from: query), verifier: verifier) }
        #expect(missing?.code == .invalidToken)

        let noTokenExpected = PresignedURLVerifier(credentials: [SigV4Credentials(accessKeyID: "ASIAJOBS", secretAccessKey: "s")], region: "eu-west-3")
        let unexpected = verificationError { try verify(query, verifier: noTokenExpected) }
        #expect(unexpected?.code == .invalidToken)
    }

    @Test func lookupResolvesPerAccessKey() throws {
        let second = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "AKIDSECOND", secretAccessKey: "two"), region: "us-east-1", service: "s3")
        let table: [String: PresignedURLVerifier.Credential] = [
            "AKIDJOBS": .init(secretAccessKey: "secret/with+chars", region: "eu-west-3"),
            "AKIDSECOND": .init(secretAccessKey: "two", region: "us-east-1"),
        ]
        let verifier = PresignedURLVerifier { table[$0] }
        #expect(try verify(try Self.query(), verifier: verifier).accessKeyID == "AKIDJOBS")
        #expect(try verify(try Self.query(signer: second), verifier: verifier).accessKeyID == "AKIDSECOND")
    }

    @Test func extraQueryParametersAreSignedAndOrderFree() throws {
        let url = try Self.signer.presignedURL(
            url: URL(string: "http://\(Self.host)\(Self.path)?b=2&a=1&response-content-type=text%2Fplain")!,
            expires: 300,
            date: Self.signedAt
        )
        let query = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
        #expect(query.hasPrefix("b=2&a=1&response-content-type=text%2Fplain&X-Amz-Algorithm="))
        // Reordering parameters does not change the canonical query.
        let reordered = query.split(separator: "&").reversed().joined(separator: "&")
        _ = try verify(reordered)
        // Adding an unsigned parameter does.
        #expect(verificationError { try verify(query + "&c=3") }?.code == .signatureMismatch)
        #expect(verificationError { try verify(Self.removing("b", from: query)) }?.code == .signatureMismatch)
    }

    @Test func methodIsSigned() throws {
        let error = verificationError {
            try Self.verifier.verify(method: "DELETE", path: Self.path, query: try Self.query(), host: Self.host, now: Self.signedAt)
        }
        #expect(error?.code == .signatureMismatch)
    }
}
