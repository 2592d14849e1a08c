/// The declared parameters of a job type. A handler with a schema has its submissions checked
/// against it before the 202, and the schema is listed by `GET /v1/job-types`.
///
/// ```swift
/// let schema = JobParameterSchema([
///     JobParameter("input", .string, required: true, pattern: "[A-Za-z0-9._-]+"),
///     JobParameter("level", .integer, default: 6, range: 1...9),
/// ])
/// ```
public struct JobParameterSchema: Sendable, Hashable {
    /// The parameters, in the order they were declared.
    public var parameters: [JobParameter]

    /// Creates a schema; a submission may give no parameter that is not declared here.
    public init(_ parameters: [JobParameter] = []) {
        self.parameters = parameters
    }

    /// The declared parameter called `name`.
    public func parameter(named name: String) -> JobParameter? {
        parameters.first { $0.name == name }
    }

    /// Checks submitted parameters and returns them with defaults filled in.
    ///
    /// Throws ``JobError/Code/invalidParameters`` naming the first offending field: an undeclared
    /// parameter, a missing required one, or a value of the wrong type or outside its constraints.
    /// `null` counts as left out.
    public func validate(_ submitted: JobParameters) throws -> JobParameters {
        if let unknown = submitted.keys.sorted().first(where: { parameter(named: $0) == nil }) {
            let known = parameters.map(\.name).joined(separator: ", ")
            throw JobError(
                .invalidParameters,
                "unknown parameter '\(unknown)'" + (known.isEmpty ? "; this type takes none" : "; known: \(known)"),
                field: unknown
            )
        }
        var validated: JobParameters = [:]
        for parameter in parameters {
            if let value = submitted[parameter.name], value != .null {
                validated[parameter.name] = try parameter.validate(value)
            } else if let defaultValue = parameter.defaultValue {
                validated[parameter.name] = defaultValue
            } else if parameter.required {
                throw JobError(.invalidParameters, "'\(parameter.name)' is required", field: parameter.name)
            }
        }
        return validated
    }
}
