@testable import AsyncJobsServer
import AsyncJobsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

@Suite struct FileRangeBodyTests {
    /// Collects what a body writes, in order, and whether it finished.
    final class Collector: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let writes = Mutex(0)
        let finished = Mutex(false)
    }

    struct CollectingWriter: ResponseBodyWriter {
        let collector: Collector

        mutating func write(_ buffer: ByteBuffer) async throws {
            collector.bytes.withLock { $0 += buffer.readableBytesView }
            collector.writes.withLock { $0 += 1 }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            collector.finished.withLock { $0 = true }
        }
    }

    static func file(size: Int) throws -> (TemporaryDirectory, String, [UInt8]) {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/result"
        // No short period, so a piece sent twice, dropped or out of place shows.
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 0x9E37_79B9_7F4A_7C15) >> 40) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (directory, path, bytes)
    }

    static func send(_ body: ResponseBody) async throws -> Collector {
        let collector = Collector()
        try await body.write(CollectingWriter(collector: collector))
        return collector
    }

    @Test(arguments: [
        (0..<3_000_017, 1 << 20),  // whole file, the last piece short
        (0..<3_000_017, 1_000),  // thousands of pieces, each read while the one before is written
        (1_048_575..<2_097_153, 1 << 20),  // starts one byte before a piece boundary, ends one after
        (2_999_999..<3_000_017, 1 << 20),  // the tail only
        (17..<18, 1 << 20),  // one byte
        (0..<(1 << 20), 1 << 20),  // exactly one piece
    ])
    func sendsExactlyTheRangeInOrder(range: Range<Int>, chunkLength: Int) async throws {
        let (directory, path, bytes) = try Self.file(size: 3_000_017)
        let body = ResponseBody.fileRange(path: path, range: range, chunkLength: chunkLength)
        #expect(body.contentLength == range.count)
        let sent = try await Self.send(body)
        let received = sent.bytes.withLock { $0 }
        #expect(received.count == range.count)
        // The first differing position, not the arrays: a failure would otherwise print megabytes.
        #expect(zip(received, bytes[range]).enumerated().first { $0.element.0 != $0.element.1 }?.offset == nil)
        #expect(sent.writes.withLock { $0 } == (range.count + chunkLength - 1) / chunkLength)
        #expect(sent.finished.withLock { $0 })
        _ = directory
    }

    @Test(.timeLimit(.minutes(1))) func aFileShorterThanItsRecordedSizeFailsInsteadOfSpinning() async throws {
        let (directory, path, bytes) = try Self.file(size: 5_000)
        let body = ResponseBody.fileRange(path: path, range: 0..<8_000, chunkLength: 1_024)
        let collector = Collector()
        await #expect(throws: FileRangeError.self) {
            try await body.write(CollectingWriter(collector: collector))
        }
        #expect(collector.bytes.withLock { $0 }.elementsEqual(bytes))
        #expect(!collector.finished.withLock { $0 })
        _ = directory
    }

    @Test func aMissingFileFails() async throws {
        let directory = try TemporaryDirectory()
        let body = ResponseBody.fileRange(path: directory.path + "/gone", range: 0..<10)
        await #expect(throws: (any Error).self) {
            _ = try await Self.send(body)
        }
    }
}
