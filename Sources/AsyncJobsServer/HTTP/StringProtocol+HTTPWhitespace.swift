extension StringProtocol {
    /// The value without the spaces and tabs HTTP allows around header values and their parts
    /// (RFC 9110's OWS). Cheaper than Foundation's `trimmingCharacters(in:)`, which on Linux goes
    /// through `NSString` and showed up in profiles of the status route.
    func trimmingHTTPWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }), let last = lastIndex(where: { !isWhitespace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
