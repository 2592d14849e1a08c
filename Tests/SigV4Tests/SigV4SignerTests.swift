import Foundation
import Testing
@testable import SigV4

@Suite struct SigV4SignerTests {
    static let signer = SigV4Signer(
        credentials: SigV4Credentials(accessKeyID: "AKIDJOBS", secretAccessKey: "secret"),
        region: "eu-west-3"
    )
    static let date = Date(timeIntervalSince1970: 1_740_823_200)
    static let url = URL(string: "http://127.0.0.1:8080/jobs/42/result.json")!

    @Test(arguments: [0, -1, 604_801, Int.max])
    func expiryOutsideTheAllowedRangeIsRejected(_ expires: Int) {
        let error = verificationError { try Self.signer.presignedURL(url: Self.url, expires: expires, date: Self.date) }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: [1, 604_800])
    func expiryAtTheLimitsIsAccepted(_ expires: Int) throws {
        let url = try Self.signer.presignedURL(url: Self.url, expires: expires, date: Self.date)
        #expect(url.absoluteString.contains("&X-Amz-Expires=\(expires)&"))
    }

    @Test func alreadySignedURLIsRejected() throws {
        let signed = try Self.signer.presignedURL(url: Self.url, expires: 60, date: Self.date)
        let error = verificationError { try Self.signer.presignedURL(url: signed, expires: 60, date: Self.date) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func urlWithoutHostIsRejected() {
        let error = verificationError {
            try Self.signer.presignedURL(url: URL(string: "/relative/path")!, expires: 60, date: Self.date)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func hostCannotBeOverriddenThroughSignedHeaders() {
        let error = verificationError {
            try Self.signer.presignedURL(url: Self.url, expires: 60, date: Self.date, signedHeaders: ["Host": "other"])
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func presignedPathIsWrittenInCanonicalForm() throws {
        let url = try Self.signer.presignedURL(
            url: URL(string: "https://example.com/a%7eb/c$d/%e2%82%ac")!, expires: 60, date: Self.date
        )
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.percentEncodedPath == "/a~b/c%24d/%E2%82%AC")
        #expect(components.percentEncodedQuery?.hasPrefix("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDJOBS%2F20250301%2Feu-west-3%2Fs3%2Faws4_request&X-Amz-Date=20250301T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=") == true)
    }

    @Test func fractionalSecondsAreTruncatedLikeBotocore() throws {
        let whole = try Self.signer.presignedURL(url: Self.url, expires: 60, date: Self.date)
        let fractional = try Self.signer.presignedURL(url: Self.url, expires: 60, date: Self.date.addingTimeInterval(0.999))
        #expect(whole == fractional)
    }

    @Test func presigningIsDeterministicAndCachesOneKeyPerDay() throws {
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "A", secretAccessKey: "s"), region: "us-east-1")
        let first = try signer.presignedURL(url: Self.url, expires: 60, date: Self.date)
        let second = try signer.presignedURL(url: Self.url, expires: 60, date: Self.date.addingTimeInterval(0.5))
        #expect(first == second)
        #expect(signer.keyCache.count == 1)
        _ = try signer.presignedURL(url: Self.url, expires: 60, date: Self.date.addingTimeInterval(86_400))
        #expect(signer.keyCache.count == 2)
        // A copy shares the cache.
        let copy = signer
        _ = try copy.presignedURL(url: Self.url, expires: 60, date: Self.date.addingTimeInterval(3_600))
        #expect(signer.keyCache.count == 2)
    }

    @Test func keyCacheStaysBounded() {
        let cache = SigningKeyCache(capacity: 3)
        for day in 1...10 {
            _ = cache.key(for: .init(secretAccessKey: "s", dateStamp: "202501\(day < 10 ? "0" : "")\(day)", region: "r", service: "s3"))
        }
        #expect(cache.count <= 3)
    }

    @Test func concurrentPresigningAgrees() async throws {
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "A", secretAccessKey: "s"), region: "us-east-1")
        let expected = try signer.presignedURL(url: Self.url, expires: 60, date: Self.date)
        let results = try await withThrowingTaskGroup(of: URL.self) { group in
            for _ in 0..<32 {
                group.addTask { try signer.presignedURL(url: Self.url, expires: 60, date: Self.date) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32)
        #expect(results.allSatisfy { $0 == expected })
    }

    @Test func headerSigningAddsTheSessionTokenAndSignsIt() throws {
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: "tok"),
            region: "us-east-1"
        )
        let result = try signer.sign(
            method: "PUT", url: Self.url, headers: [("Content-Type", "application/json")],
            payloadHash: SigV4.unsignedPayload, date: Self.date
        )
        #expect(result.headers["x-amz-security-token"] == "tok")
        #expect(result.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(result.headers["Authorization"]?.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") == true)
        #expect(result.canonicalRequest.contains("\nhost:127.0.0.1:8080\n"))
        #expect(result.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test func headerSigningReplacesCallerSuppliedAuthHeaders() throws {
        let clean = try Self.signer.signHeaders(url: Self.url, headers: [("Range", "bytes=0-1")], payloadHash: SigV4.emptyPayloadSHA256, date: Self.date)
        let noisy = try Self.signer.signHeaders(
            url: Self.url,
            headers: [("Range", "bytes=0-1"), ("X-Amz-Date", "19990101T000000Z"), ("Authorization", "junk")],
            payloadHash: SigV4.emptyPayloadSHA256,
            date: Self.date
        )
        #expect(clean == noisy)
        let dictionary = try Self.signer.signHeaders(url: Self.url, headers: ["Range": "bytes=0-1"], payloadHash: SigV4.emptyPayloadSHA256, date: Self.date)
        #expect(dictionary == clean)
    }

    @Test func explicitHostHeaderWinsOverTheURL() throws {
        let derived = try Self.signer.sign(method: "GET", url: Self.url, headers: [], payloadHash: SigV4.emptyPayloadSHA256, date: Self.date)
        let explicit = try Self.signer.sign(method: "GET", url: Self.url, headers: [("Host", "jobs.internal")], payloadHash: SigV4.emptyPayloadSHA256, date: Self.date)
        #expect(derived.canonicalRequest.contains("\nhost:127.0.0.1:8080\n"))
        #expect(explicit.canonicalRequest.contains("\nhost:jobs.internal\n"))
    }

    @Test(arguments: ["", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "abc", "unsigned-payload"])
    func invalidPayloadHashIsRejected(_ hash: String) {
        let error = verificationError { try Self.signer.signHeaders(url: Self.url, payloadHash: hash, date: Self.date) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func credentialsDoNotPrintTheirSecrets() {
        let credentials = SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "topsecret", sessionToken: "tokensecret")
        let printed = "\(credentials) \(String(reflecting: credentials))"
        #expect(printed.contains("AKID"))
        #expect(!printed.contains("topsecret"))
        #expect(!printed.contains("tokensecret"))
    }
}
