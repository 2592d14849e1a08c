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

    /// A new random identifier: a version 4 UUID in lower case, from the system's random source.
    ///
    /// Not Foundation's `UUID()`: on Linux it opens, reads and closes `/dev/urandom` for every
    /// identifier, three system calls per submitted job; the random word pool makes one per 16.
    public static func generate() -> JobID {
        var words = RandomWordPool.shared.nextPair()
        return generate(from: &words)
    }

    /// A version 4 UUID in lower case made of `generator`'s bits.
    static func generate(using generator: inout some RandomNumberGenerator) -> JobID {
        var words = (generator.next() as UInt64, generator.next() as UInt64)
        return generate(from: &words)
    }

    private static func generate(from words: inout (UInt64, UInt64)) -> JobID {
        withUnsafeMutableBytes(of: &words) { random in
            random[6] = random[6] & 0x0F | 0x40  // version 4
            random[8] = random[8] & 0x3F | 0x80  // RFC 4122 variant
            let text = String(unsafeUninitializedCapacity: 36) { characters in
                var position = 0
                for (index, byte) in random.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        characters[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    characters[position] = SHA256Hex.digit(byte >> 4)
                    characters[position + 1] = SHA256Hex.digit(byte & 0x0F)
                    position += 2
                }
                return position
            }
            return JobID(text)
        }
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
