/// The built-in sample job type, `demo.csv`: writes a CSV file of `rows` lines, spreading the work
/// over about `durationMs` and reporting progress as it goes.
///
/// Parameters:
/// - `rows`: lines after the header, 0–10,000,000 (default 1000).
/// - `durationMs`: how long the work should take, 0–86,400,000 (default 0).
/// - `failAtPercent`: optional, 0–100; the job fails, without retrying, on reaching this progress.
public enum DemoCSVJob {
    /// The type name.
    public static let type = "demo.csv"

    /// The CSV header line.
    public static let header = "id,name,value\n"

    /// The handler, with the given options.
    public static func handler(options: JobTypeOptions = JobTypeOptions()) -> JobHandler {
        JobHandler(
            type: type,
            summary: "A CSV file of `rows` lines, written over about `durationMs` (the built-in sample)",
            options: options,
            parameters: parameters,
            run: run
        )
    }

    /// The `n`th data line (0-based), so tests can check a result byte for byte.
    public static func line(_ index: Int) -> String {
        "\(index + 1),item-\(index + 1),\((index &* 7919) % 10007)\n"
    }

    /// The declared parameters.
    public static let parameters = JobParameterSchema([
        JobParameter("rows", .integer, default: 1000, range: 0...10_000_000, summary: "lines after the header"),
        JobParameter("durationMs", .integer, default: 0, range: 0...86_400_000, summary: "how long the work should take"),
        JobParameter("failAtPercent", .integer, range: 0...100, summary: "fail, without retrying, on reaching this progress"),
    ])

    static func run(_ context: JobContext) async throws -> JobOutcome {
        let rows = context.parameters["rows"]?.intValue ?? 1000
        let duration = context.parameters["durationMs"]?.intValue ?? 0
        let failAt = context.parameters["failAtPercent"]?.intValue
        // Work in up to 100 steps so progress moves by whole percents and sleeps stay coarse.
        let steps = max(1, min(100, rows))
        let pause = Duration.milliseconds(duration) / steps

        try await context.writeResult(fileName: "demo.csv", contentType: "text/csv") { writer in
            var buffer = Array(header.utf8)
            buffer.reserveCapacity(64 * 1024)
            var written = 0
            for step in 1...steps {
                try Task.checkCancellation()
                let target = rows * step / steps
                while written < target {
                    buffer.append(contentsOf: line(written).utf8)
                    written += 1
                    if buffer.count >= 60 * 1024 {
                        try await writer.write(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                let percent = step * 100 / steps
                if let failAt, percent >= failAt {
                    throw JobAttemptError(
                        code: "demo_failure",
                        message: "demo.csv failed on reaching \(percent)% as requested by failAtPercent=\(failAt)",
                        isRetryable: false
                    )
                }
                if duration > 0 { try await Task.sleep(for: pause) }
                context.reportProgress(Double(percent))
            }
            if !buffer.isEmpty { try await writer.write(buffer) }
        }
        return .success
    }
}
