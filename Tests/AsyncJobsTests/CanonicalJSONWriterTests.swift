import AsyncJobs
import Foundation
import Testing

/// Stored idempotency fingerprints were computed from `JSONEncoder`'s sorted-keys text, so the hand
/// writer behind `canonicalJSON()` must give the very same bytes for every value.
@Suite struct CanonicalJSONWriterTests {
    @Test func randomValuesGiveJSONEncodersText() {
        var random = SplitMix64(seed: 0xCA_7051)
        for _ in 0..<3_000 {
            let value = JSONValue.random(using: &random, depth: 0)
            #expect(value.canonicalJSON() == reference(value))
        }
    }

    @Test(arguments: [
        0, -0.0, 1, -1, 0.5, -2.5e-3, 1e15 - 1, 1e15, -1e15, 9_007_199_254_740_992, 1e16, 1.2345678901234567e16, 1e-5, 5e-324,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude, 0.1 + 0.2, 123_456.789,
    ] as [Double])
    func numbersMatch(_ number: Double) {
        #expect(JSONValue.number(number).canonicalJSON() == reference(.number(number)))
        #expect(JSONValue.array([.number(number)]).canonicalJSON() == reference(.array([.number(number)])))
    }

    @Test func namesSortByTheirUTF8Bytes() {
        let value: JSONValue = ["b": 1, "B": 2, "a10": 3, "a9": 4, "é": 5, "e\u{301}x": 6, "z": 7, "": 8, "😀": 9, "\u{FFFF}": 10]
        #expect(value.canonicalJSON() == reference(value))
        #expect(value.canonicalJSON().hasPrefix(#"{"":8,"B":2,"a10":3,"a9":4,"b":1,"#))
    }

    @Test func everyControlCharacterIsEscapedAlike() {
        let text = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + "/\u{2028}\u{FEFF}"
        #expect(JSONValue.string(text).canonicalJSON() == reference(.string(text)))
        #expect(JSONValue.string("a/b").canonicalJSON() == #""a/b""#)
    }

    @Test func valuesTheWriterLeavesToJSONEncoderStillMatch() {
        var deep = JSONValue.number(1)
        for level in 0..<300 { deep = level.isMultiple(of: 2) ? .array([deep]) : .object(["k": deep]) }
        #expect(deep.canonicalJSON() == reference(deep))
        #expect(JSONValue.array([1, .number(.nan)]).canonicalJSON() == "null")
        #expect(JSONValue.object(["x": .number(.infinity)]).canonicalJSON() == "null")
    }

    @Test func fingerprintsHashTheTypeAndJSONEncodersText() {
        var random = SplitMix64(seed: 0xF1_4E)
        for _ in 0..<200 {
            guard case .object(let parameters) = JSONValue.random(using: &random, depth: 0) else { continue }
            let text = "demo.csv\n" + reference(.object(parameters))
            #expect(NewJob.fingerprint(type: "demo.csv", parameters: parameters) == SHA256Hex.digest(of: Array(text.utf8)))
        }
        #expect(NewJob.fingerprint(type: "t", parameters: ["n": .number(.nan)]) == SHA256Hex.digest(of: Array("t\nnull".utf8)))
    }

    private func reference(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
