import Foundation

/// An RFC 9457 problem document (`application/problem+json`), as the server sent it with an error.
public struct ProblemDetails: Sendable, Hashable {
    /// A URI identifying the kind of problem, e.g. `urn:asyncjobs:problem:unknown-job-type`.
    public var type: String?
    /// A short summary of the kind of problem.
    public var title: String?
    /// The HTTP status the server gave.
    public var status: Int?
    /// What went wrong this time.
    public var detail: String?
    /// The request path the problem is about.
    public var instance: String?
    /// Extension members whose values are strings (e.g. `field`, `jobId`, OAuth's `error`).
    public var extensions: [String: String]

    /// Creates problem details.
    public init(type: String? = nil, title: String? = nil, status: Int? = nil, detail: String? = nil, instance: String? = nil, extensions: [String: String] = [:]) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.extensions = extensions
    }

    /// Reads a problem document; `nil` when the body is not a JSON object.
    init?(json: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        let standard: Set<String> = ["type", "title", "status", "detail", "instance"]
        self.init(
            type: object["type"] as? String,
            title: object["title"] as? String,
            status: (object["status"] as? NSNumber)?.intValue,
            detail: object["detail"] as? String,
            instance: object["instance"] as? String,
            extensions: object.filter { !standard.contains($0.key) }.compactMapValues { $0 as? String }
        )
    }

    /// The most useful one-line summary: the detail, else the title.
    public var summary: String? { detail ?? title }
}
