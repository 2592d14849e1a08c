import Foundation
import Testing
@testable import SigV4

/// One request signed by botocore's `S3SigV4Auth`; see scripts/sigv4-fixtures.py.
struct Boto3HeaderCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var url: String
    var headers: [String: String]
    var body: String
    var unsigned: Bool
    var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String?
    var region: String
    var amzDate: String
    var contentSha256: String
    var authorization: String

    var testDescription: String { name }

    static let all: [Boto3HeaderCase] = (try? load()) ?? []

    static func load() throws -> [Boto3HeaderCase] {
        try loadBoto3Fixture("boto3-signed-headers")
    }
}

/// Header authentication as the S3 result store uses it, byte for byte against botocore: the real
/// payload hash and `UNSIGNED-PAYLOAD` in `x-amz-content-sha256`.
@Suite struct Boto3HeaderSigningTests {
    @Test func fixtureFileLoads() throws {
        let cases = try Boto3HeaderCase.load()
        #expect(cases.count == 3)
        #expect(cases.contains { $0.unsigned } && cases.contains { !$0.unsigned })
        #expect(cases.contains { $0.sessionToken != nil })
    }

    @Test(arguments: Boto3HeaderCase.all)
    func signsLikeBotocore(_ fixture: Boto3HeaderCase) throws {
        let payloadHash = fixture.unsigned ? SigV4.unsignedPayload : SigV4.sha256Hex(fixture.body)
        #expect(payloadHash == fixture.contentSha256)
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey, sessionToken: fixture.sessionToken),
            region: fixture.region
        )
        let headers = try signer.signHeaders(
            method: fixture.method,
            url: try #require(URL(string: fixture.url)),
            headers: fixture.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            payloadHash: payloadHash,
            date: try #require(AmzDate(parsing: fixture.amzDate)).date
        )
        #expect(headers["Authorization"] == fixture.authorization)
        #expect(headers["x-amz-content-sha256"] == fixture.contentSha256)
        #expect(headers["x-amz-date"] == fixture.amzDate)
        #expect(headers["x-amz-security-token"] == fixture.sessionToken)
    }
}
