import Foundation

/// A value of a benchmark's one-line JSON report.
enum BenchValue: ExpressibleByStringLiteral {
    case text(String)
    case number(Double)

    init(stringLiteral value: String) { self = .text(value) }

    /// The fields as one line of JSON, keys sorted.
    static func jsonLine(_ fields: [String: BenchValue]) -> String {
        let body = fields.keys.sorted().map { key -> String in
            switch fields[key]! {
            case .text(let text): "\"\(key)\":\"\(text)\""
            case .number(let number) where number.isFinite && number == number.rounded() && abs(number) < 1e15: "\"\(key)\":\(Int64(number))"
            case .number(let number): "\"\(key)\":\(number.isFinite ? String(format: "%.3f", number) : "null")"
            }
        }
        return "{" + body.joined(separator: ",") + "}"
    }
}
