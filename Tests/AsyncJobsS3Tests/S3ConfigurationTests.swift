import AsyncJobs
import AsyncJobsS3
import Foundation
import SigV4
import Testing

@Suite struct S3ConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret/key+", "AWS_SESSION_TOKEN": "token"]

    @Test func parsesTheIssueURL() throws {
        let configuration = try S3Configuration(
            url: "s3://bucket/prefix/deeper?endpoint=http://127.0.0.1:9000&region=eu-west-3&path-style=true",
            environment: credentials
        )
        #expect(configuration.bucket == "bucket")
        #expect(configuration.keyPrefix == "prefix/deeper")
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(configuration.region == "eu-west-3")
        #expect(configuration.pathStyle)
        #expect(configuration.credentials == SigV4Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret/key+", sessionToken: "token"))
        #expect(configuration.objectURL(key: "t/j/1/out.csv").absoluteString == "http://127.0.0.1:9000/bucket/prefix/deeper/t/j/1/out.csv")
    }

    @Test func defaultsToVirtualHostedAWS() throws {
        let configuration = try S3Configuration(url: "s3://my-results", environment: credentials.merging(["AWS_REGION": "eu-central-1"]) { $1 })
        #expect(!configuration.pathStyle)
        #expect(configuration.keyPrefix == "")
        #expect(configuration.objectURL(key: "a b/c").absoluteString == "https://my-results.s3.eu-central-1.amazonaws.com/a%20b/c")
        #expect(configuration.partSize == 8 * 1024 * 1024)
    }

    @Test func virtualHostedKeepsTheEndpointPort() throws {
        let configuration = try S3Configuration(url: "s3://b1k/p?endpoint=http://localhost:9000", environment: credentials)
        #expect(configuration.objectURL(key: "k").absoluteString == "http://b1k.localhost:9000/p/k")
    }

    @Test(arguments: [
        ("s3:///nobucket", "expected s3://"),
        ("https://bucket", "expected s3://"),
        ("s3://Bad_Bucket", "not a valid bucket name"),
        ("s3://bucket?endpoint=ftp://x", "endpoint must be"),
        ("s3://bucket?endpoint=http://h/path", "endpoint must be"),
        ("s3://bucket?path-style=maybe", "path-style must be true or false"),
        ("s3://bucket?part-size=4", "part-size must be"),
        ("s3://bucket?colour=blue", "unknown option 'colour'"),
    ])
    func refusesMalformedURLs(url: String, message: String) {
        #expect {
            _ = try S3Configuration(url: url, environment: credentials)
        } throws: { error in
            (error as? S3Error)?.code == .invalidConfiguration && "\(error)".contains(message)
        }
    }

    @Test func needsCredentials() {
        #expect {
            _ = try S3Configuration(url: "s3://bucket", environment: ["AWS_ACCESS_KEY_ID": "x"])
        } throws: { error in
            (error as? S3Error)?.code == .missingCredentials
        }
    }

    @Test func neverShowsTheSecret() throws {
        let configuration = try S3Configuration(url: "s3://bucket", environment: credentials)
        #expect(!configuration.redactedDescription.contains("secret"))
        #expect(!"\(configuration)".contains("secret/key+"))
    }

    @Test func downloadURLIsPresignedOnTheBucketWithADisposition() throws {
        let configuration = try S3Configuration(url: "s3://bucket/pre?endpoint=http://127.0.0.1:9000&path-style=true", environment: credentials)
        let store = S3ResultStore(configuration: configuration)
        let result = JobResult(key: "t/j/1/report.csv", size: 3, sha256: "", contentType: "text/csv", fileName: "report.csv")
        let url = try store.downloadURL(for: result, expiresIn: 900, now: Date(timeIntervalSince1970: 1_700_000_000))
        let text = url.absoluteString
        #expect(text.hasPrefix("http://127.0.0.1:9000/bucket/pre/t/j/1/report.csv?response-content-disposition=attachment%3B%20filename%3D%22report.csv%22&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token=token&X-Amz-Signature="))
        // Our own verifier, the one the file store's download route uses, accepts it until it expires.
        let verifier = PresignedURLVerifier(signer: SigV4Signer(credentials: configuration.credentials, region: "us-east-1"))
        _ = try verifier.verify(url: url, now: Date(timeIntervalSince1970: 1_700_000_000 + 899))
        #expect(throws: SigV4Error.self) { try verifier.verify(url: url, now: Date(timeIntervalSince1970: 1_700_000_000 + 901)) }
    }
}
