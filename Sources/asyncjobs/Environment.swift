import Foundation

/// Defaults read from `ASYNCJOBS_*` environment variables: each flag's twin.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    static func string(_ name: String, default fallback: String) -> String {
        string(name) ?? fallback
    }

    static func int(_ name: String, default fallback: Int) -> Int {
        string(name).flatMap(Int.init) ?? fallback
    }

    static func double(_ name: String, default fallback: Double) -> Double {
        string(name).flatMap(Double.init) ?? fallback
    }
}
