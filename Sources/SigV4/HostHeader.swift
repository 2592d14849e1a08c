import Foundation

/// Derives the `host` header value a client will send for a URL.
enum HostHeader {
    /// The lowercased host, bracketed if it is an IPv6 literal, plus `:port`
    /// when the URL names a port other than its scheme's default — the same
    /// rule botocore applies, so both sign the same bytes.
    static func value(for components: URLComponents) -> String? {
        guard var host = components.percentEncodedHost, !host.isEmpty else { return nil }
        host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        if host.contains(":") {
            host = "[\(host)]"
        }
        if let port = components.port, port != defaultPort(forScheme: components.scheme) {
            host += ":\(port)"
        }
        return host
    }

    private static func defaultPort(forScheme scheme: String?) -> Int? {
        switch scheme?.lowercased() {
        case "http": 80
        case "https": 443
        default: nil
        }
    }
}
