import AsyncJobs
import Logging
import Synchronization
import Testing

/// Wrapping `StreamLogHandler` must not change a single character of what it writes.
@Suite struct DeferredMetadataLogHandlerTests {
    @Test func writesTheSameLinesAsTheStreamHandlerItWraps() {
        let plainLines = CapturedLines()
        let deferredLines = CapturedLines()
        exercise(Logger(label: "asyncjobs.test") { StreamLogHandler(label: $0, stream: plainLines, metadataProvider: nil) })
        exercise(Logger(label: "asyncjobs.test") {
            DeferredMetadataLogHandler(base: StreamLogHandler(label: $0, stream: deferredLines, metadataProvider: nil))
        })
        let expected = plainLines.withoutTimestamps
        #expect(expected.count == 3)
        #expect(expected[0] == "info asyncjobs.test: job.id=j-1 job.type=demo.csv [AsyncJobsTests] plain message")
        #expect(expected[1].contains("error=disk full job.id=j-1 job.type=overridden"))
        #expect(deferredLines.withoutTimestamps == expected)
    }

    private func exercise(_ logger: Logger) {
        var logger = logger
        logger[metadataKey: "job.id"] = "j-1"
        logger[metadataKey: "job.type"] = "demo.csv"
        logger.info("plain message")
        logger.warning("with its own metadata", metadata: ["error": "disk full", "job.type": "overridden"])
        logger.debug("below the level")
        logger.logLevel = .debug
        logger.debug("at the level now")
    }
}

/// Lines written to a stream, kept for comparison.
final class CapturedLines: TextOutputStream, Sendable {
    private let text = Mutex("")

    func write(_ string: String) {
        text.withLock { $0 += string }
    }

    /// Each line without its leading timestamp, which differs between two handlers.
    var withoutTimestamps: [String] {
        text.withLock { $0 }.split(separator: "\n").map { line in String(line.drop { $0 != " " }.dropFirst()) }
    }
}
