import Foundation
import Testing
@testable import SigV4

/// One presigned URL produced by botocore; see scripts/sigv4-fixtures.py.
struct Boto3Case: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String?
    var region: String
    var service: String
    var expires: Int
    var amzDate: String
    var unsignedUrl: String
    var presignedUrl: String
    var host: String
    var path: String
    var query: String

    var testDescription: String { name }

    var credentials: SigV4Credentials {
        SigV4Credentials(accessKeyID: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    var signer: SigV4Signer {
        SigV4Signer(credentials: credentials, region: region, service: service)
    }

    var verifier: PresignedURLVerifier {
        PresignedURLVerifier(signer: signer)
    }

    var signedAt: Date {
        AmzDate(parsing: amzDate)!.date
    }

    static let all: [Boto3Case] = (try? load()) ?? []

    static func load() throws -> [Boto3Case] {
        try loadBoto3Fixture("boto3-presigned")
    }
}

/// The `cases` of a fixture file written by scripts/sigv4-fixtures.py, with snake_case keys.
func loadBoto3Fixture<Case: Decodable>(_ name: String) throws -> [Case] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(Boto3FixtureFile<Case>.self, from: Data(contentsOf: url)).cases
}

/// The layout of a fixture file: its generator's versions, then the cases.
struct Boto3FixtureFile<Case: Decodable>: Decodable {
    var cases: [Case]
}

@Suite struct Boto3FixtureTests {
    @Test func fixtureFileLoads() throws {
        // Guards the parameterised tests below, which would silently run zero
        // cases if the resource went missing.
        let cases = try Boto3Case.load()
        #expect(cases.count == 6)
        #expect(cases.contains { $0.sessionToken != nil })
        #expect(cases.contains { $0.query.hasPrefix("response-content-disposition=") })
        #expect(Set(cases.map(\.region)) == ["us-east-1", "eu-west-3"])
        #expect(Set(cases.map(\.expires)).isSuperset(of: [300, 604_800]))
    }

    @Test(arguments: Boto3Case.all)
    func presignerReproducesBotocoreByteForByte(_ fixture: Boto3Case) throws {
        let url = try fixture.signer.presignedURL(
            method: fixture.method,
            url: try #require(URL(string: fixture.unsignedUrl)),
            expires: fixture.expires,
            date: fixture.signedAt
        )
        #expect(url.absoluteString == fixture.presignedUrl)
    }

    @Test(arguments: Boto3Case.all)
    func verifierAcceptsBotocoreURLWhileValid(_ fixture: Boto3Case) throws {
        for offset in [0, fixture.expires / 2, fixture.expires] {
            let now = fixture.signedAt.addingTimeInterval(TimeInterval(offset))
            let verified = try fixture.verifier.verify(
                method: fixture.method, path: fixture.path, query: fixture.query, host: fixture.host, now: now
            )
            #expect(verified.accessKeyID == fixture.accessKeyId)
            #expect(verified.region == fixture.region)
            #expect(verified.expires == fixture.expires)
            #expect(verified.signedHeaders == ["host"])
            #expect(verified.secondsRemaining(at: now) == fixture.expires - offset)
        }
    }

    @Test(arguments: Boto3Case.all)
    func verifierAcceptsBotocoreURLGivenAsURL(_ fixture: Boto3Case) throws {
        let verified = try fixture.verifier.verify(
            method: fixture.method,
            url: try #require(URL(string: fixture.presignedUrl)),
            now: fixture.signedAt.addingTimeInterval(1)
        )
        #expect(verified.expiresAt == fixture.signedAt.addingTimeInterval(TimeInterval(fixture.expires)))
    }

    @Test(arguments: Boto3Case.all)
    func verifierRejectsBotocoreURLAfterExpiry(_ fixture: Boto3Case) throws {
        let error = verificationError {
            try fixture.verifier.verify(
                method: fixture.method, path: fixture.path, query: fixture.query, host: fixture.host,
                now: fixture.signedAt.addingTimeInterval(TimeInterval(fixture.expires + 1))
            )
        }
        #expect(error?.code == .expired)
        #expect(error?.s3Code == "AccessDenied")
        #expect(error?.message == "Request has expired")
        #expect(error?.detail("X-Amz-Expires") == String(fixture.expires))
    }

    @Test(arguments: Boto3Case.all)
    func verifierRejectsOneChangedSignatureCharacter(_ fixture: Boto3Case) throws {
        let signature = try #require(fixture.query.range(of: "X-Amz-Signature=")).upperBound
        var query = fixture.query
        let last = query.index(before: query.endIndex)
        #expect(signature < last)
        query.replaceSubrange(last...last, with: query[last] == "0" ? "1" : "0")
        #expect(mismatch(fixture, query: query))
    }

    @Test(arguments: Boto3Case.all)
    func verifierRejectsOneChangedPathCharacter(_ fixture: Boto3Case) throws {
        var path = fixture.path
        let last = path.index(before: path.endIndex)
        path.replaceSubrange(last...last, with: path[last] == "a" ? "b" : "a")
        #expect(mismatch(fixture, path: path))
    }

    @Test(arguments: Boto3Case.all)
    func verifierRejectsAChangedExpiry(_ fixture: Boto3Case) throws {
        let original = "X-Amz-Expires=\(fixture.expires)&"
        #expect(fixture.query.contains(original))
        let query = fixture.query.replacingOccurrences(of: original, with: "X-Amz-Expires=\(fixture.expires - 1)&")
        #expect(mismatch(fixture, query: query))
    }

    @Test(arguments: Boto3Case.all.filter { $0.query.hasPrefix("response-") })
    func verifierRejectsAChangedResponseOverride(_ fixture: Boto3Case) throws {
        // Changing the first character of the value: `attachment` → `bttachment`.
        var query = fixture.query
        let value = try #require(query.firstIndex(of: "=")).utf16Offset(in: query) + 1
        let index = String.Index(utf16Offset: value, in: query)
        query.replaceSubrange(index...index, with: query[index] == "a" ? "b" : "a")
        #expect(mismatch(fixture, query: query))
    }

    @Test(arguments: Boto3Case.all)
    func verifierRejectsADifferentHost(_ fixture: Boto3Case) {
        #expect(mismatch(fixture, host: "evil.example.com"))
    }

    private func mismatch(_ fixture: Boto3Case, path: String? = nil, query: String? = nil, host: String? = nil) -> Bool {
        let error = verificationError {
            try fixture.verifier.verify(
                method: fixture.method,
                path: path ?? fixture.path,
                query: query ?? fixture.query,
                host: host ?? fixture.host,
                now: fixture.signedAt.addingTimeInterval(TimeInterval(fixture.expires / 2))
            )
        }
        return error?.code == .signatureMismatch && error?.s3Code == "SignatureDoesNotMatch"
    }
}

/// Runs a call that is expected to fail and returns its ``SigV4Error``.
func verificationError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> SigV4Error? {
    do {
        _ = try body()
        return nil
    } catch let error as SigV4Error {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
