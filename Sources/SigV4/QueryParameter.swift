/// One `name=value` pair of a query string, percent-decoded.
struct QueryParameter: Hashable, Sendable {
    /// Decoded bytes; kept as bytes because a decoded value need not be UTF-8.
    var nameBytes: [UInt8]
    var valueBytes: [UInt8]

    init(nameBytes: [UInt8], valueBytes: [UInt8]) {
        self.nameBytes = nameBytes
        self.valueBytes = valueBytes
    }

    init(name: String, value: String) {
        self.init(nameBytes: Array(name.utf8), valueBytes: Array(value.utf8))
    }

    var name: String { String(decoding: nameBytes, as: UTF8.self) }
    var value: String { String(decoding: valueBytes, as: UTF8.self) }

    /// `name=value` with both sides in SigV4 encoding.
    var encoded: String {
        "\(URIEncoding.encode(nameBytes))=\(URIEncoding.encode(valueBytes))"
    }

    /// Splits a raw (still percent-encoded) query string.
    ///
    /// Empty pieces (`a=1&&b=2`) are dropped and a piece without `=` is a name
    /// with an empty value, which is how S3 signs sub-resources like `?lifecycle`.
    static func parse(_ rawQuery: some StringProtocol) -> [QueryParameter] {
        Array(rawQuery.utf8).split(separator: UInt8(ascii: "&")).map { piece in
            if let equals = piece.firstIndex(of: UInt8(ascii: "=")) {
                QueryParameter(
                    nameBytes: URIEncoding.decode(piece[piece.startIndex..<equals]),
                    valueBytes: URIEncoding.decode(piece[piece.index(after: equals)...])
                )
            } else {
                QueryParameter(nameBytes: URIEncoding.decode(piece), valueBytes: [])
            }
        }
    }

    /// The canonical query string: encoded pairs sorted by name, then value.
    static func canonical(_ parameters: some Sequence<QueryParameter>) -> String {
        parameters
            .map { (name: URIEncoding.encode($0.nameBytes), value: URIEncoding.encode($0.valueBytes)) }
            .sorted { lhs, rhs in
                // Byte order, which is what AWS specifies; the encoded strings
                // are ASCII so this is also code-point order.
                if lhs.name != rhs.name {
                    return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
                }
                return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
            }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }
}
