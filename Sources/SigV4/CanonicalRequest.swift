/// The SigV4 canonical request, built from already-canonical URI and query.
struct CanonicalRequest: Sendable {
    var method: String
    var canonicalURI: String
    var canonicalQuery: String
    /// Lowercased, sorted, values normalised; one entry per header name.
    var headers: [(name: String, value: String)]
    var payloadHash: String

    init(
        method: String,
        canonicalURI: String,
        canonicalQuery: String,
        headers: some Sequence<(String, String)>,
        payloadHash: String
    ) {
        self.method = method.uppercased()
        self.canonicalURI = canonicalURI
        self.canonicalQuery = canonicalQuery
        self.headers = Self.canonicalHeaders(headers)
        self.payloadHash = payloadHash
    }

    /// Lowercased names, sorted, with normalised values; repeated names are
    /// merged into one comma-separated value in their original order.
    static func canonicalHeaders(_ headers: some Sequence<(String, String)>) -> [(name: String, value: String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let key = normalizeName(name)
            let normalized = normalizeValue(value)
            merged[key] = merged[key].map { $0 + "," + normalized } ?? normalized
        }
        return merged
            .map { (name: $0.key, value: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// `host;range;x-amz-date`, the value of `SignedHeaders`.
    var signedHeaders: String {
        headers.map(\.name).joined(separator: ";")
    }

    var string: String {
        let canonicalHeaders = headers.map { "\($0.name):\($0.value)\n" }.joined()
        return [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
    }

    static func normalizeName(_ name: String) -> String {
        name.trimmingSpacesAndTabs().lowercased()
    }

    /// Trims the value and collapses inner runs of spaces and tabs to one space.
    static func normalizeValue(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
