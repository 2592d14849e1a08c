public import AsyncJobs

/// One element of a command job's argv, with `{name}` placeholders filled from validated parameters.
///
/// Each template element becomes exactly one argument, whatever the values contain: no shell ever
/// sees them, so `"; rm -rf /"` reaches the program as those ten characters. `{{` and `}}` stand
/// for literal braces. An element that is a single placeholder for a parameter the submission left
/// out (and that has no default) is dropped; any other element naming a missing parameter is an
/// error at validation time.
public struct ArgumentTemplate: Sendable, Hashable {
    /// A piece of an element.
    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(String)
    }

    /// The element as written in the configuration.
    public let text: String
    let segments: [Segment]

    /// The placeholder standing for the attempt's scratch directory.
    public static let scratchPlaceholder = "scratch"

    /// Parses an element.
    public init(_ text: String) throws {
        self.text = text
        var segments: [Segment] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{")
                index = text.index(after: next)
            } else if character == "}", next < text.endIndex, text[next] == "}" {
                literal.append("}")
                index = text.index(after: next)
            } else if character == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw CommandJobError(.invalidDeclaration, "argument '\(text)' has an unclosed '{'")
                }
                let name = String(text[next..<close])
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                    throw CommandJobError(.invalidDeclaration, "argument '\(text)' has a bad placeholder '{\(name)}'")
                }
                if !literal.isEmpty { segments.append(.literal(literal)) }
                literal = ""
                segments.append(.placeholder(name))
                index = text.index(after: close)
            } else if character == "}" {
                throw CommandJobError(.invalidDeclaration, "argument '\(text)' has an unmatched '}'; write '}}' for a literal brace")
            } else {
                literal.append(character)
                index = next
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.segments = segments
    }

    /// The names of the placeholders, in order.
    public var placeholders: [String] {
        segments.compactMap { if case .placeholder(let name) = $0 { name } else { nil } }
    }

    /// The argument for these parameters, or `nil` when the element is a lone placeholder for a
    /// parameter that is absent.
    public func render(_ parameters: JobParameters, scratch: String) throws -> String? {
        if segments.count == 1, case .placeholder(let name) = segments[0], name != Self.scratchPlaceholder,
            parameters[name] == nil || parameters[name] == .null
        {
            return nil
        }
        var argument = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                argument += text
            case .placeholder(Self.scratchPlaceholder):
                argument += scratch
            case .placeholder(let name):
                guard let value = parameters[name], value != .null else {
                    throw JobError(.invalidParameters, "'\(name)' is needed to build the argument '\(text)'", field: name)
                }
                argument += Self.text(of: value)
            }
        }
        return argument
    }

    /// How a value is written into an argument: strings as they are, whole numbers without a
    /// fraction, booleans as `true`/`false`.
    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .bool(let bool): bool ? "true" : "false"
        case .number(let number): value.intValue.map(String.init) ?? String(number)
        default: value.canonicalJSON()
        }
    }
}
