/// Reads a command's standard error as it arrives: `::progress N` lines become progress reports,
/// every other line is kept in a bounded tail that becomes the error message of a failed job.
///
/// The progress form is a whole line: `::progress` then one space then a number from 0 to 100
/// (fractions allowed), e.g. `::progress 42` or `::progress 99.5`. Anything else on the line, or
/// a number out of range, makes it an ordinary line.
public struct StderrScanner: Sendable {
    /// How many of the last lines the tail keeps.
    public let maxTailLines: Int
    /// How many bytes the tail keeps at most.
    public let maxTailBytes: Int
    private var pending: [UInt8] = []
    private var lines: [String] = []

    /// Creates a scanner.
    public init(maxTailLines: Int = 20, maxTailBytes: Int = 4096) {
        self.maxTailLines = maxTailLines
        self.maxTailBytes = maxTailBytes
    }

    /// Takes the next bytes; returns the progress values of the complete lines among them.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [Double] {
        var progress: [Double] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let value = takeLine() { progress.append(value) }
            } else if pending.count < maxTailBytes {
                pending.append(byte)
            }
        }
        return progress
    }

    /// Ends the stream: a last line without a newline counts too.
    public mutating func finish() -> [Double] {
        guard !pending.isEmpty else { return [] }
        return takeLine().map { [$0] } ?? []
    }

    /// The last lines that were not progress reports, joined by newlines, at most `maxTailBytes`.
    public var tail: String {
        var text = lines.joined(separator: "\n")
        if text.utf8.count > maxTailBytes {
            text = String(decoding: text.utf8.suffix(maxTailBytes), as: UTF8.self)
        }
        return text
    }

    private mutating func takeLine() -> Double? {
        var line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        if line.hasSuffix("\r") { line.removeLast() }
        if let value = Self.progress(in: line) { return value }
        lines.append(line)
        if lines.count > maxTailLines { lines.removeFirst(lines.count - maxTailLines) }
        return nil
    }

    /// The value of a `::progress N` line.
    static func progress(in line: String) -> Double? {
        let prefix = "::progress "
        guard line.hasPrefix(prefix), let value = Double(line.dropFirst(prefix.count)), value.isFinite,
            (0...100).contains(value)
        else { return nil }
        return value
    }
}
