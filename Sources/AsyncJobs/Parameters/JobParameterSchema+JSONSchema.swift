extension JobParameterSchema {
    /// The schema as a JSON Schema object, as `GET /v1/job-types` lists it.
    public var jsonSchema: JSONValue {
        var properties: [String: JSONValue] = [:]
        for parameter in parameters {
            var property: [String: JSONValue] = ["type": .string(parameter.type.rawValue)]
            if let summary = parameter.summary { property["description"] = .string(summary) }
            if let value = parameter.defaultValue { property["default"] = value }
            if !parameter.allowedValues.isEmpty { property["enum"] = .array(parameter.allowedValues) }
            if let minimum = parameter.minimum { property["minimum"] = .number(minimum) }
            if let maximum = parameter.maximum { property["maximum"] = .number(maximum) }
            if let pattern = parameter.pattern { property["pattern"] = .string("^(?:\(pattern))$") }
            if let maxLength = parameter.maxLength { property["maxLength"] = .number(Double(maxLength)) }
            properties[parameter.name] = .object(property)
        }
        return .object([
            "type": "object",
            "properties": .object(properties),
            "required": .array(parameters.filter(\.required).map { .string($0.name) }),
            "additionalProperties": false,
        ])
    }
}
