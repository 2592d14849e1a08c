import Foundation
import Testing
@testable import SigV4

@Suite struct CanonicalizationTests {
    @Test func uriEncodingKeepsOnlyUnreservedCharacters() {
        #expect(URIEncoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(URIEncoding.encode("a b+c*d/e=f&g%h") == "a%20b%2Bc%2Ad%2Fe%3Df%26g%25h")
        #expect(URIEncoding.encode("a/b", keepSlash: true) == "a/b")
        #expect(URIEncoding.encode("é") == "%C3%A9")
        #expect(URIEncoding.encode([0x00, 0xFF]) == "%00%FF")
    }

    @Test func percentDecodingIsLenientAboutStrayPercentSigns() {
        #expect(URIEncoding.decode(Array("a%20b%2fc".utf8)) == Array("a b/c".utf8))
        #expect(URIEncoding.decode(Array("100%".utf8)) == Array("100%".utf8))
        #expect(URIEncoding.decode(Array("%zz%4".utf8)) == Array("%zz%4".utf8))
        #expect(URIEncoding.decode(Array("a+b".utf8)) == Array("a+b".utf8))
    }

    @Test func canonicalPathReencodesEachSegmentWithoutNormalising() {
        #expect(URIEncoding.canonicalPath(encodedPath: "") == "/")
        #expect(URIEncoding.canonicalPath(encodedPath: "/") == "/")
        #expect(URIEncoding.canonicalPath(encodedPath: "/test$file.text") == "/test%24file.text")
        #expect(URIEncoding.canonicalPath(encodedPath: "/a%2Fb/c") == "/a%2Fb/c")
        #expect(URIEncoding.canonicalPath(encodedPath: "/a//./../b/") == "/a//./../b/")
        #expect(URIEncoding.canonicalPath(encodedPath: "/%7e%41") == "/~A")
        #expect(URIEncoding.canonicalPath(encodedPath: "/50%") == "/50%25")
    }

    @Test func queryIsSortedByEncodedNameThenValue() {
        let parameters = QueryParameter.parse("b=2&a=2&a=1&B=0&lifecycle&&x=%20y+z")
        #expect(QueryParameter.canonical(parameters) == "B=0&a=1&a=2&b=2&lifecycle=&x=%20y%2Bz")
    }

    @Test func headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        let request = CanonicalRequest(
            method: "get",
            canonicalURI: "/",
            canonicalQuery: "",
            headers: [("X-Amz-Meta-A", "  a   b \t c  "), ("Host", "h"), ("x-amz-meta-a", "second")],
            payloadHash: SigV4.unsignedPayload
        )
        #expect(request.signedHeaders == "host;x-amz-meta-a")
        #expect(request.string == "GET\n/\n\nhost:h\nx-amz-meta-a:a b c,second\n\nhost;x-amz-meta-a\nUNSIGNED-PAYLOAD")
    }

    @Test(arguments: [
        ("https://Example.COM/x", "example.com"),
        ("https://example.com:443/x", "example.com"),
        ("http://example.com:80/x", "example.com"),
        ("http://example.com:443/x", "example.com:443"),
        ("https://example.com:8443/x", "example.com:8443"),
        ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("http://[::1]:9000/x", "[::1]:9000"),
        ("http://[::1]/x", "[::1]"),
    ])
    func hostHeaderFollowsBotocoresRule(url: String, expected: String) throws {
        let components = try #require(URLComponents(string: url))
        #expect(HostHeader.value(for: components) == expected)
    }

    @Test func amzDateFormatsAndParses() throws {
        let date = Date(timeIntervalSince1970: 1_709_251_199.75) // 2024-02-29T23:59:59.75Z
        let stamp = AmzDate(date)
        #expect(stamp.basic == "20240229T235959Z")
        #expect(stamp.dateStamp == "20240229")
        #expect(stamp.iso8601 == "2024-02-29T23:59:59Z")
        let parsed = try #require(AmzDate(parsing: "20240229T235959Z"))
        #expect(parsed.date == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(AmzDate(parsing: "20230229T000000Z") == nil)
        #expect(AmzDate(parsing: "20240229T240000Z") == nil)
        #expect(AmzDate(parsing: "20240229T235960Z") == nil)
        #expect(AmzDate(parsing: "2024022 T235959Z") == nil)
        #expect(AmzDate.isValidDateStamp("20000229"))
        #expect(!AmzDate.isValidDateStamp("19000229"))
    }

    @Test func hexRoundTripsOnlyLowercase() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decodeLowercase("00abff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decodeLowercase("00ABFF") == nil)
        #expect(Hex.decodeLowercase("abc") == nil)
    }

    @Test func constantTimeEqualityComparesWholeValues() {
        #expect(ConstantTime.equals(Array("token".utf8), Array("token".utf8)))
        #expect(!ConstantTime.equals(Array("token".utf8), Array("tokem".utf8)))
        #expect(!ConstantTime.equals(Array("token".utf8), Array("token2".utf8)))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }
}
