public import Foundation

/// The identifier of a job: opaque, unguessable, stable for the job's whole life.
public struct JobID: Hashable, Sendable, Codable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String

    /// Wraps an identifier read from storage or from a request.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps an identifier read from storage or from a request.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// A new random identifier (a lower-case UUID).
    public static func generate() -> JobID {
        JobID(UUID().uuidString.lowercased())
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The identifier of a tenant: every job, key and client belongs to exactly one.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String

    /// Wraps an identifier read from storage.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps an identifier read from storage.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
