extension JobParameter {
    /// Checks one submitted value and returns it normalised (integers as whole numbers).
    ///
    /// Throws ``JobError/Code/invalidParameters`` naming this parameter.
    public func validate(_ value: JSONValue) throws -> JSONValue {
        switch type {
        case .string:
            guard let string = value.stringValue else { throw refusal("must be a string") }
            if let maxLength, string.count > maxLength {
                throw refusal("must be at most \(maxLength) characters")
            }
            if let pattern {
                let regex: Regex<AnyRegexOutput>
                do { regex = try Regex(pattern) } catch { throw refusal("cannot be checked: its pattern does not compile") }
                guard (try? regex.wholeMatch(in: string)) != nil else { throw refusal("must match the pattern \(pattern)") }
            }
        case .integer:
            guard value.intValue != nil else { throw refusal("must be an integer") }
            try checkRange(value.doubleValue ?? 0)
        case .number:
            guard let number = value.doubleValue, number.isFinite else { throw refusal("must be a number") }
            try checkRange(number)
        case .boolean:
            guard case .bool = value else { throw refusal("must be true or false") }
        default:
            throw refusal("has an unsupported type '\(type)'")
        }
        if !allowedValues.isEmpty, !allowedValues.contains(value) {
            let listed = allowedValues.map { $0.stringValue ?? $0.canonicalJSON() }.joined(separator: ", ")
            throw refusal("must be one of: \(listed)")
        }
        return value
    }

    private func checkRange(_ number: Double) throws {
        switch (minimum, maximum) {
        case (let low?, let high?) where number < low || number > high:
            throw refusal("must be between \(Self.format(low)) and \(Self.format(high))")
        case (let low?, nil) where number < low:
            throw refusal("must be at least \(Self.format(low))")
        case (nil, let high?) where number > high:
            throw refusal("must be at most \(Self.format(high))")
        default:
            return
        }
    }

    func refusal(_ reason: String) -> JobError {
        JobError(.invalidParameters, "'\(name)' \(reason)", field: name)
    }

    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 9.0e15 ? String(Int(number)) : String(number)
    }
}
