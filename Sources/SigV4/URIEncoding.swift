/// The percent-encoding rules of SigV4 canonicalisation.
///
/// AWS asks for a hand-written encoder rather than a platform one: every byte
/// except `A-Z a-z 0-9 - . _ ~` becomes `%XY` with uppercase hex, and a space is
/// `%20`, never `+`.
enum URIEncoding {
    private static let upperHex = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Encodes raw bytes; `/` is kept only when `keepSlash` is set.
    static func encode(_ bytes: some Sequence<UInt8>, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes the UTF-8 bytes of `string`.
    static func encode(_ string: String, keepSlash: Bool = false) -> String {
        encode(string.utf8, keepSlash: keepSlash)
    }

    /// Decodes `%XY` escapes into bytes.
    ///
    /// A `%` that does not start a valid escape is kept as a literal byte, so
    /// that a sloppy client's path still canonicalises deterministically (its
    /// `%` is then re-encoded as `%25`). `+` stays a literal plus: RFC 3986 gives
    /// it no special meaning and AWS signers always write spaces as `%20`.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                let first = text.index(after: index)
                if first != text.endIndex {
                    let second = text.index(after: first)
                    if second != text.endIndex,
                       let high = hexValue(text[first]),
                       let low = hexValue(text[second]) {
                        out.append(high << 4 | low)
                        index = text.index(after: second)
                        continue
                    }
                }
            }
            out.append(byte)
            index = text.index(after: index)
        }
        return out
    }

    /// The canonical URI of an already percent-encoded request path.
    ///
    /// Each segment is decoded and re-encoded, so `%7E`, `~` and `%7e` all sign
    /// the same way while an encoded `%2F` stays distinct from a real `/`. As S3
    /// requires, the path is not otherwise normalised: `//` and `.` segments are
    /// signed exactly as sent.
    static func canonicalPath(encodedPath: some StringProtocol) -> String {
        if encodedPath.isEmpty { return "/" }
        let segments = Array(encodedPath.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let canonical = segments.map { encode(decode($0)) }.joined(separator: "/")
        return canonical.hasPrefix("/") ? canonical : "/" + canonical
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
