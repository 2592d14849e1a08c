import Foundation

extension Dictionary where Key == String, Value == JSONValue {
    /// Decodes parameters into a `Decodable` type.
    ///
    /// A missing or mistyped field throws ``JobError/Code/invalidParameters`` naming it, so a
    /// handler that decodes its parameters in `validate` refuses bad submissions with a 422.
    public func decode<Parameters: Decodable>(_ type: Parameters.Type) throws -> Parameters {
        let data = try JSONEncoder().encode(JSONValue.object(self))
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw Self.refusal(error)
        }
    }

    static func refusal(_ error: DecodingError) -> JobError {
        func field(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> String? {
            let names = (path + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
            return names.isEmpty ? nil : names.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let name = field(context.codingPath, key)
            return JobError(.invalidParameters, "'\(name ?? key.stringValue)' is required", field: name)
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let name = field(context.codingPath)
            return JobError(.invalidParameters, "'\(name ?? "parameters")' must be of type \(expected)", field: name)
        case .dataCorrupted(let context):
            let name = field(context.codingPath)
            return JobError(.invalidParameters, "'\(name ?? "parameters")' is invalid: \(context.debugDescription)", field: name)
        @unknown default:
            return JobError(.invalidParameters, "the parameters are invalid: \(error)")
        }
    }
}
