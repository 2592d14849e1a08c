import Foundation

/// A job type a server accepts, as `GET /v1/job-types` lists it.
public struct JobTypeDescription: Sendable, Hashable, Decodable {
    /// One parameter of the type's JSON Schema.
    public struct Parameter: Sendable, Hashable, Decodable {
        /// The JSON type: `string`, `integer`, `number` or `boolean`.
        public var type: String?
        /// What the parameter means.
        public var description: String?
        /// The value used when a submission leaves it out, as JSON text.
        public var defaultValue: String?
        /// The only values allowed, as JSON text; empty for any.
        public var allowedValues: [String]
        /// The smallest number allowed.
        public var minimum: Double?
        /// The largest number allowed.
        public var maximum: Double?
        /// The pattern a string must match.
        public var pattern: String?

        enum CodingKeys: String, CodingKey {
            case type, description, defaultValue = "default", allowedValues = "enum", minimum, maximum, pattern
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            defaultValue = try container.decodeIfPresent(ScalarText.self, forKey: .defaultValue)?.text
            allowedValues = try container.decodeIfPresent([ScalarText].self, forKey: .allowedValues)?.map(\.text) ?? []
            minimum = try container.decodeIfPresent(Double.self, forKey: .minimum)
            maximum = try container.decodeIfPresent(Double.self, forKey: .maximum)
            pattern = try container.decodeIfPresent(String.self, forKey: .pattern)
        }
    }

    /// The type's parameters as a JSON Schema object.
    public struct Parameters: Sendable, Hashable, Decodable {
        /// The declared parameters by name.
        public var properties: [String: Parameter]
        /// The names a submission must give.
        public var required: [String]

        enum CodingKeys: String, CodingKey { case properties, required }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            properties = try container.decodeIfPresent([String: Parameter].self, forKey: .properties) ?? [:]
            required = try container.decodeIfPresent([String].self, forKey: .required) ?? []
        }
    }

    /// The type name to submit.
    public var type: String
    /// What the type does.
    public var summary: String?
    /// How many times a job may start.
    public var maxAttempts: Int
    /// How long one attempt may run.
    public var timeoutSeconds: Int
    /// Jobs of this type run at once per node, when limited.
    public var concurrencyLimit: Int?
    /// The parameters.
    public var parameters: Parameters
}

/// A JSON scalar read as its JSON text (`6`, `"csv"`, `true`).
struct ScalarText: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            text = value ? "true" : "false"
        } else if let value = try? container.decode(Int.self) {
            text = String(value)
        } else if let value = try? container.decode(Double.self) {
            text = String(value)
        } else if let value = try? container.decode(String.self) {
            text = "\"\(value)\""
        } else {
            text = "null"
        }
    }
}
