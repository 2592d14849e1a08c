import AsyncJobs
import AsyncJobsS3
import Foundation
import SigV4
import Testing

/// A download link of the S3 result store, as boto3 makes it for the same inputs and time; see
/// scripts/sigv4-fixtures.py.
struct Boto3DownloadCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var endpoint: String
    var pathStyle: Bool
    var prefix: String
    var region: String
    var bucket: String
    var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String?
    var resultKey: String
    var fileName: String
    var expires: Int
    var signedAtEpoch: Double
    var presignedUrl: String

    var testDescription: String { name }

    static let all: [Boto3DownloadCase] = (try? load()) ?? []

    static func load() throws -> [Boto3DownloadCase] {
        struct File: Decodable { var cases: [Boto3DownloadCase] }
        let url = try #require(Bundle.module.url(forResource: "boto3-download-urls", withExtension: "json", subdirectory: "Fixtures"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(File.self, from: Data(contentsOf: url)).cases
    }
}

@Suite struct Boto3DownloadURLTests {
    @Test func fixtureFileLoads() throws {
        let cases = try Boto3DownloadCase.load()
        #expect(cases.count == 3)
        #expect(cases.contains { $0.pathStyle } && cases.contains { !$0.pathStyle })
    }

    @Test(arguments: Boto3DownloadCase.all)
    func downloadURLIsIdenticalToBoto3s(_ fixture: Boto3DownloadCase) throws {
        let store = S3ResultStore(configuration: S3Configuration(
            bucket: fixture.bucket,
            keyPrefix: fixture.prefix,
            endpoint: URL(string: fixture.endpoint),
            region: fixture.region,
            pathStyle: fixture.pathStyle,
            credentials: SigV4Credentials(accessKeyID: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey, sessionToken: fixture.sessionToken)
        ))
        let result = JobResult(key: fixture.resultKey, size: 1, sha256: "", contentType: "text/csv", fileName: fixture.fileName)
        let url = try store.downloadURL(for: result, expiresIn: fixture.expires, now: Date(timeIntervalSince1970: fixture.signedAtEpoch))
        #expect(url.absoluteString == fixture.presignedUrl)
    }
}
