/// Writes a ``JSONValue`` as canonical JSON: members sorted by the UTF-8 bytes of their names, no
/// insignificant whitespace, `/` not escaped.
///
/// Its output is byte for byte what Foundation's `JSONEncoder` writes with `[.sortedKeys,
/// .withoutEscapingSlashes]`, because idempotency fingerprints already stored were computed from that
/// text; `CanonicalJSONWriterTests` compares the two on random values. It exists because every
/// submitted job is written twice (its fingerprint and its stored parameters), and the encoder's
/// `Encodable` round trip was the largest cost of a batch submit.
struct CanonicalJSONWriter {
    /// Values nested deeper than this, and numbers JSON cannot express (NaN, infinities), are left
    /// to `JSONEncoder`, so that such rare values keep exactly the text it gives them.
    static let maximumDepth = 256

    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(64)
    }

    /// Appends raw bytes (a prefix that is not JSON, such as a fingerprint's type name).
    mutating func append(contentsOf text: some StringProtocol) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends `value`; returns false, having appended part of it, if it must be left to `JSONEncoder`.
    mutating func write(_ value: JSONValue) -> Bool {
        write(value, depth: 0)
    }

    private mutating func write(_ value: JSONValue, depth: Int) -> Bool {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let flag):
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            return write(number)
        case .string(let text):
            write(text)
        case .array(let elements):
            guard depth < Self.maximumDepth else { return false }
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                guard write(element, depth: depth + 1) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard depth < Self.maximumDepth else { return false }
            bytes.append(UInt8(ascii: "{"))
            let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (offset, member) in sorted.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                write(member.key)
                bytes.append(UInt8(ascii: ":"))
                guard write(member.value, depth: depth + 1) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        }
        return true
    }

    private mutating func write(_ number: Double) -> Bool {
        guard number.isFinite else { return false }
        // Whole numbers of moderate size, the common case, skip Double's shortest-digits printing;
        // -0 keeps it, since `JSONEncoder` writes it as "-0".
        if number.rounded(.towardZero) == number, abs(number) < 1e15, !(number == 0 && number.sign == .minus) {
            writeInteger(Int64(number))
            return true
        }
        // `JSONEncoder` writes `description` without a trailing ".0".
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        return true
    }

    private mutating func writeInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[15 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(16 - count)...])
        }
    }

    /// A JSON string: `"`, `\` and control characters escaped as `JSONEncoder` escapes them, every
    /// other byte (including `/` and non-ASCII UTF-8) as it is.
    private mutating func write(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00...0x1F:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(SHA256Hex.digit(byte >> 4))
                bytes.append(SHA256Hex.digit(byte & 0x0F))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
