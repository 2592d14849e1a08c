import Foundation
import Testing
@testable import SigV4

/// Known-answer tests against values AWS publishes in its documentation.
///
/// Sources (inputs and expected values copied from the pages' worked examples):
/// - S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS
///   Signature Version 4)", section "An Example" (presigned GET of test.txt).
/// - S3 API Reference, "Signature Calculations for the Authorization Header:
///   Transferring Payload in a Single Chunk", section "Examples: Signature
///   Calculations" (GET Object, PUT Object, GET Bucket Lifecycle, Get Bucket).
/// - AWS General Reference, "Examples of how to derive a signing key for
///   Signature Version 4" (secret …+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam).
/// - The AWS Signature Version 4 test suite, cases get-vanilla and
///   get-vanilla-query-order-key-case.
@Suite struct AWSPublishedExamplesTests {
    /// The S3 pages' example key pair.
    static let s3Credentials = SigV4Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    )
    /// Fri, 24 May 2013 00:00:00 GMT.
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)
    static let s3Signer = SigV4Signer(credentials: s3Credentials, region: "us-east-1", service: "s3")

    @Test func exampleDateIsTheDocumentedTimestamp() {
        #expect(AmzDate(Self.s3Date).basic == "20130524T000000Z")
    }

    @Test func presignedGetObjectMatchesTheS3Example() throws {
        let result = try Self.s3Signer.presign(
            method: "GET",
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            expires: 86_400,
            date: Self.s3Date,
            signedHeaders: [:]
        )
        #expect(result.canonicalRequest == """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04
            """)
        #expect(result.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(result.url.absoluteString == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func publicPresignerReturnsTheDocumentedURL() throws {
        let url = try Self.s3Signer.presignedURL(
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            expires: 86_400,
            date: Self.s3Date
        )
        #expect(url.absoluteString.hasSuffix("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
    }

    @Test func verifierAcceptsTheDocumentedPresignedURL() throws {
        let verifier = PresignedURLVerifier(signer: Self.s3Signer)
        let verified = try verifier.verify(
            method: "GET",
            path: "/test.txt",
            query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            host: "examplebucket.s3.amazonaws.com",
            now: Self.s3Date.addingTimeInterval(3_600)
        )
        #expect(verified.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
        #expect(verified.expiresAt == Self.s3Date.addingTimeInterval(86_400))
        #expect(verified.secondsRemaining(at: Self.s3Date.addingTimeInterval(3_600)) == 82_800)
    }

    @Test func headerSignedGetObjectWithRangeMatchesTheS3Example() throws {
        let result = try Self.s3Signer.sign(
            method: "GET",
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            headers: [("Range", "bytes=0-9")],
            payloadHash: SigV4.emptyPayloadSHA256,
            date: Self.s3Date
        )
        #expect(result.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(result.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(result.headers == [
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            "x-amz-date": "20130524T000000Z",
            "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ])
    }

    @Test func payloadHashOfThePutExampleBody() {
        #expect(SigV4.sha256Hex("Welcome to Amazon S3.") == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(SigV4.sha256Hex(Data()) == SigV4.emptyPayloadSHA256)
        #expect(SigV4.sha256Hex(Array("Welcome to Amazon S3.".utf8)) == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
    }

    @Test func headerSignedPutObjectMatchesTheS3Example() throws {
        let body = Data("Welcome to Amazon S3.".utf8)
        let result = try Self.s3Signer.sign(
            method: "PUT",
            url: URL(string: "https://examplebucket.s3.amazonaws.com/test$file.text")!,
            headers: [
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            payloadHash: SigV4.sha256Hex(body),
            date: Self.s3Date
        )
        #expect(result.canonicalRequest == """
            PUT
            /test%24file.text

            date:Fri, 24 May 2013 00:00:00 GMT
            host:examplebucket.s3.amazonaws.com
            x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            x-amz-date:20130524T000000Z
            x-amz-storage-class:REDUCED_REDUNDANCY

            date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
            44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            """)
        #expect(result.stringToSign.hasSuffix("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(result.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func headerSignedGetBucketLifecycleMatchesTheS3Example() throws {
        let result = try Self.s3Signer.sign(
            method: "GET",
            url: URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle")!,
            headers: [],
            payloadHash: SigV4.emptyPayloadSHA256,
            date: Self.s3Date
        )
        #expect(result.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"))
        #expect(result.stringToSign.hasSuffix("\n9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"))
        #expect(result.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func headerSignedListObjectsSortsTheQueryLikeTheS3Example() throws {
        let result = try Self.s3Signer.sign(
            method: "GET",
            url: URL(string: "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2")!,
            headers: [],
            payloadHash: SigV4.emptyPayloadSHA256,
            date: Self.s3Date
        )
        #expect(result.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(result.stringToSign.hasSuffix("\ndf57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(result.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func signingKeyDerivationMatchesEveryPublishedStage() {
        let stages = SigV4.signingKeyStages(
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            dateStamp: "20120215",
            region: "us-east-1",
            service: "iam"
        )
        #expect(Hex.encode(stages.date) == "969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d")
        #expect(Hex.encode(stages.region) == "69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c")
        #expect(Hex.encode(stages.service) == "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa")
        #expect(Hex.encode(stages.signing) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    /// The generic test suite signs only `host;x-amz-date`, without the
    /// `x-amz-content-sha256` header that S3 requires and `signHeaders` adds.
    @Test(arguments: [
        ("https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ])
    func signatureV4TestSuite(url: String, expectedSignature: String) throws {
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1",
            service: "service"
        )
        let result = try signer.sign(
            method: "GET",
            url: URL(string: url)!,
            headers: [],
            payloadHash: SigV4.emptyPayloadSHA256,
            date: try #require(AmzDate(parsing: "20150830T123600Z")).date,
            includeContentHashHeader: false
        )
        #expect(result.signature == expectedSignature)
        #expect(result.headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(expectedSignature)")
    }
}
