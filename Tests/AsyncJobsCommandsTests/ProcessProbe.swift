import Foundation

/// Whether a process exists, read from /proc as `ps` does; a zombie (exited, not yet reaped by
/// whoever inherited it) counts as gone.
enum ProcessProbe {
    @Sendable static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
