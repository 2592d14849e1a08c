extension StringProtocol {
    /// The value without leading and trailing spaces and tabs (HTTP's optional whitespace). Shared
    /// with the server's header parsing; Foundation's `trimmingCharacters(in:)` goes through
    /// `NSString` on Linux and showed up in profiles of the status route.
    package func trimmingSpacesAndTabs() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }),
              let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
