import Foundation

/// An RFC 9457 problem document (`application/problem+json`), as the server sent it with an error.
public struct ProblemDetails: Sendable, Hashable, Decodable {
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

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        type = try? container.decode(String.self, forKey: AnyKey("type"))
        title = try? container.decode(String.self, forKey: AnyKey("title"))
        status = try? container.decode(Int.self, forKey: AnyKey("status"))
        detail = try? container.decode(String.self, forKey: AnyKey("detail"))
        instance = try? container.decode(String.self, forKey: AnyKey("instance"))
        var extensions: [String: String] = [:]
        for key in container.allKeys where !["type", "title", "status", "detail", "instance"].contains(key.stringValue) {
            if let value = try? container.decode(String.self, forKey: key) { extensions[key.stringValue] = value }
        }
        self.extensions = extensions
    }

    /// The most useful one-line summary: the detail, else the title.
    public var summary: String? { detail ?? title }
}

/// A coding key for any member name.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
