import AsyncJobs
import Foundation
import Testing

/// `JSONValue.parse` reads stored parameters without `JSONDecoder`; it must agree with `JSONDecoder`
/// on every document, accepted or refused.
@Suite struct JSONValueParserTests {
    @Test func randomDocumentsParseToTheValueJSONDecoderGives() throws {
        var random = SplitMix64(seed: 0x5EED)
        let compact = JSONEncoder()
        compact.outputFormatting = [.sortedKeys]
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        for _ in 0..<2_000 {
            let value = JSONValue.random(using: &random, depth: 0)
            for encoder in [compact, pretty] {
                let text = String(decoding: try encoder.encode(value), as: UTF8.self)
                #expect(try JSONValue.parse(text) == reference(text), "\(text)")
                #expect(try JSONValue.parse(text) == value)
            }
        }
    }

    @Test func mutatedDocumentsAreAcceptedOrRefusedExactlyAsJSONDecoderDoes() throws {
        var random = SplitMix64(seed: 0xBAD_5EED)
        let significant = Array(#"{}[]",:"\/ubfnrt0123456789.-+eE ntf"#.utf8) + [0x00, 0x01, 0x1F, 0x7F]
        var refused = 0
        for _ in 0..<3_000 {
            var bytes = Array(JSONValue.random(using: &random, depth: 0).canonicalJSON().utf8)
            for _ in 0...random.next(below: 3) {
                let position = random.next(below: bytes.count + 1)
                switch random.next(below: 3) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count: bytes[position] = significant[random.next(below: significant.count)]
                default: bytes.insert(significant[random.next(below: significant.count)], at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = try? reference(text)
            let parsed = try? JSONValue.parse(text)
            #expect(parsed == expected, "\(text.debugDescription): JSONDecoder \(String(describing: expected)), ours \(String(describing: parsed))")
            if expected == nil { refused += 1 }
        }
        #expect(refused > 500, "the mutations must reach refused documents too")
    }

    @Test(arguments: [
        "", " ", "{", "}", "[,]", "{,}", "[1,,]", #"{"a":1,,}"#, #"{"a" 1}"#, #"{a:1}"#, "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+",
        #""\x""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"a\u{01}b\"", "\"tab\there\"", #""\u12G4""#, #""abc"#,
        "tru", "nul", "falsey", "[1] x", "1 2", "NaN", "Infinity", "1e400", "-1e400", "[" + String(repeating: "[", count: 600) + "]",
    ])
    func malformedDocumentsAreRefusedByBoth(_ text: String) {
        #expect(throws: JSONValueParseError.self) { try JSONValue.parse(text) }
        #expect((try? reference(text)) == nil, "JSONDecoder accepts \(text.debugDescription) too")
    }

    @Test(arguments: [
        #" {"b" : [1, -2.5e3, true, null], "a": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#,
        "-0", "9007199254740993", "123456789012345678901234567890", "1E-7", "0.1", "[[[[]]]]", #"{"a":1,"a":2}"#, "[1, ]", #"{"a":1 , }"#,
        String(repeating: "[", count: 500) + String(repeating: "]", count: 500),
    ])
    func edgeCasesMatchJSONDecoder(_ text: String) throws {
        #expect(try JSONValue.parse(text) == reference(text))
    }

    private func reference(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

/// A seeded generator, so a failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}

extension JSONValue {
    static func random(using random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next(below: depth >= 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(random.next(below: 2) == 0)
        case 2:
            switch random.next(below: 4) {
            case 0: return .number(Double(random.next(below: 2_000_001) - 1_000_000))
            case 1: return .number(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (random.next(below: 2) == 0 ? 1 : -1))
            case 2: return .number(Double(random.next(below: 100_000)) / 1000)
            default: return .number(Double(Int64(bitPattern: random.next()) >> 8))
            }
        case 3: return .string(randomString(using: &random))
        case 4: return .array((0..<random.next(below: 5)).map { _ in JSONValue.random(using: &random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.next(below: 5) { members[randomString(using: &random)] = JSONValue.random(using: &random, depth: depth + 1) }
            return .object(members)
        }
    }

    static func randomString(using random: inout SplitMix64) -> String {
        let pieces = ["a", "rows", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "ß", "€", "😀", "𝄞", "\u{FEFF}", "0", "<&>"]
        return (0..<random.next(below: 8)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
    }
}
