import Foundation
import Testing
@testable import SigV4
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct S3ErrorXMLTests {
    @Test func rendersAnExpiredErrorLikeS3() throws {
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s"), region: "us-east-1")
        let signedAt = Date(timeIntervalSince1970: 1_500_524_025) // 2017-07-20T04:13:45Z
        let url = try signer.presignedURL(url: URL(string: "https://example.com/k")!, expires: 300, date: signedAt)
        let error = try #require(verificationError {
            try PresignedURLVerifier(signer: signer).verify(url: url, now: signedAt.addingTimeInterval(310))
        })
        let xml = S3ErrorXML(error, requestID: "E4952EE21FC53CD9", hostID: "host/id+=").render()
        #expect(xml == """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>300</X-Amz-Expires><Expires>2017-07-20T04:18:45Z</Expires><ServerTime>2017-07-20T04:18:55Z</ServerTime><RequestId>E4952EE21FC53CD9</RequestId><HostId>host/id+=</HostId></Error>
            """)
    }

    @Test func escapesMarkupAndControlCharacters() {
        #expect(S3ErrorXML.escape(#"<a href="x">&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;")
        #expect(S3ErrorXML.escape("line1\nline2\r\tx\u{0}y\u{1B}z") == "line1\nline2&#xD;\tx\u{FFFD}y\u{FFFD}z")
        #expect(S3ErrorXML.escape("résumé ☃") == "résumé ☃")
    }

    @Test func hostileDetailValuesCannotBreakTheDocument() throws {
        let xml = S3ErrorXML(
            code: "SignatureDoesNotMatch",
            message: "m",
            elements: [SigV4Error.Detail(name: "CanonicalRequest", value: "GET\n/</CanonicalRequest><Injected>x</Injected>")]
        ).render()
        #expect(!xml.contains("<Injected>"))
        #expect(xml.contains("<CanonicalRequest>GET\n/&lt;/CanonicalRequest&gt;&lt;Injected&gt;x&lt;/Injected&gt;</CanonicalRequest>"))
        #if canImport(FoundationXML) || os(macOS)
        try assertWellFormed(xml)
        #endif
    }

    @Test func signatureMismatchDocumentParses() throws {
        let signer = SigV4Signer(credentials: SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s"), region: "us-east-1")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let url = try signer.presignedURL(url: URL(string: "https://example.com/a&b%3Cc%3E")!, expires: 60, date: date)
        let error = try #require(verificationError {
            try PresignedURLVerifier(signer: signer).verify(method: "PUT", url: url, now: date)
        })
        #expect(error.code == .signatureMismatch)
        let xml = S3ErrorXML(error).render()
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n"))
        #if canImport(FoundationXML) || os(macOS)
        try assertWellFormed(xml)
        #endif
    }
}

#if canImport(FoundationXML) || os(macOS)
/// Parses `xml` with Foundation's XML parser to prove it is well-formed.
private func assertWellFormed(_ xml: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let parser = XMLParser(data: Data(xml.utf8))
    let ok = parser.parse()
    #expect(ok, "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
}
#endif
