/// One declared parameter of a job type: its JSON type and the constraints a submitted value must meet.
///
/// ```swift
/// let level = JobParameter("level", .integer, default: 6, range: 1...9, summary: "gzip compression level")
/// ```
public struct JobParameter: Sendable, Hashable, Codable {
    /// The JSON type a value must have.
    public struct Kind: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The JSON Schema name of the type: `string`, `integer`, `number` or `boolean`.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// A JSON string.
        public static let string = Kind("string")
        /// A JSON number with no fractional part.
        public static let integer = Kind("integer")
        /// Any JSON number.
        public static let number = Kind("number")
        /// `true` or `false`.
        public static let boolean = Kind("boolean")

        /// Every kind, in the order they are documented.
        public static let all: [Kind] = [.string, .integer, .number, .boolean]

        /// The kind named `name`, or `nil` when there is none.
        public init?(named name: String) {
            guard let kind = Kind.all.first(where: { $0.rawValue == name }) else { return nil }
            self = kind
        }

        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            guard let kind = Kind(named: name) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "unknown parameter type '\(name)'; use one of string, integer, number, boolean")
                )
            }
            self = kind
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        public var description: String { rawValue }
    }

    /// The name clients use in `parameters`.
    public var name: String
    /// The JSON type.
    public var type: Kind
    /// Whether a submission must give it (a parameter with a default is never required).
    public var required: Bool
    /// The value used when a submission leaves it out.
    public var defaultValue: JSONValue?
    /// The only values allowed, when not empty.
    public var allowedValues: [JSONValue]
    /// The smallest number allowed (integer and number).
    public var minimum: Double?
    /// The largest number allowed (integer and number).
    public var maximum: Double?
    /// A regular expression the whole string must match (string).
    public var pattern: String?
    /// The longest string allowed, in characters (string).
    public var maxLength: Int?
    /// What the parameter means, for people reading the job-type listing.
    public var summary: String?

    /// Creates a parameter declaration.
    /// - Parameters:
    ///   - name: The name clients use.
    ///   - type: The JSON type.
    ///   - required: Whether a submission must give it.
    ///   - default: The value used when it is left out.
    ///   - allowedValues: The only values allowed (an enumeration), or empty for any.
    ///   - minimum: The smallest number allowed.
    ///   - maximum: The largest number allowed.
    ///   - pattern: A regular expression a string must match as a whole.
    ///   - maxLength: The longest string allowed.
    ///   - summary: What the parameter means.
    public init(
        _ name: String,
        _ type: Kind,
        required: Bool = false,
        default defaultValue: JSONValue? = nil,
        allowedValues: [JSONValue] = [],
        minimum: Double? = nil,
        maximum: Double? = nil,
        pattern: String? = nil,
        maxLength: Int? = nil,
        summary: String? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required && defaultValue == nil
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.minimum = minimum
        self.maximum = maximum
        self.pattern = pattern
        self.maxLength = maxLength
        self.summary = summary
    }

    /// An integer parameter limited to `range`.
    public init(
        _ name: String,
        _ type: Kind,
        required: Bool = false,
        default defaultValue: JSONValue? = nil,
        range: ClosedRange<Int>,
        summary: String? = nil
    ) {
        self.init(
            name,
            type,
            required: required,
            default: defaultValue,
            minimum: Double(range.lowerBound),
            maximum: Double(range.upperBound),
            summary: summary
        )
    }

    enum CodingKeys: String, CodingKey {
        case name, type, required, defaultValue = "default", allowedValues = "enum", minimum, maximum, pattern, maxLength, summary = "description"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try container.decode(String.self, forKey: .name),
            try container.decode(Kind.self, forKey: .type),
            required: try container.decodeIfPresent(Bool.self, forKey: .required) ?? false,
            default: try container.decodeIfPresent(JSONValue.self, forKey: .defaultValue),
            allowedValues: try container.decodeIfPresent([JSONValue].self, forKey: .allowedValues) ?? [],
            minimum: try container.decodeIfPresent(Double.self, forKey: .minimum),
            maximum: try container.decodeIfPresent(Double.self, forKey: .maximum),
            pattern: try container.decodeIfPresent(String.self, forKey: .pattern),
            maxLength: try container.decodeIfPresent(Int.self, forKey: .maxLength),
            summary: try container.decodeIfPresent(String.self, forKey: .summary)
        )
    }
}
