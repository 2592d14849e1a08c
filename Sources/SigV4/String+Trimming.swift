extension StringProtocol {
    /// The value without leading and trailing spaces and tabs (HTTP's optional whitespace). Shared
    /// with the server's header parsing; Foundation's `trimmingCharacters(in:)` goes through
    /// `NSString` on Linux and showed up in profiles of the status route.
    ///
    /// Works on the UTF-8 bytes, as HTTP defines whitespace: walking `Character`s segments graphemes,
    /// which cost a percent of the status route's CPU for the bearer token alone.
    package func trimmingSpacesAndTabs() -> String {
        let text = Substring(self)
        let bytes = text.utf8
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(Substring(bytes[first...last]))
    }
}
