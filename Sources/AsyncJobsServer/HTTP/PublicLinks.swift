public import AsyncJobs
public import Foundation

/// Builds the absolute URLs handed to clients from the server's public base URL.
public struct PublicLinks: Sendable {
    /// The base URL, e.g. `http://127.0.0.1:8080` or `https://jobs.example.com`.
    public let baseURL: URL

    /// Creates the builder; a trailing `/` on `baseURL` is ignored.
    public init(baseURL: URL) {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        self.baseURL = URL(string: text) ?? baseURL
    }

    /// The status URL of a job.
    public func statusURL(_ id: JobID) -> String {
        "\(baseURL.absoluteString)/v1/jobs/\(id.rawValue)/status"
    }
}
