public import Foundation
import Synchronization

/// A ``ResultStore`` in memory, for tests and for trying things out.
public final class MemoryResultStore: ResultStore {
    private let objects = Mutex<[String: (bytes: [UInt8], contentType: String)]>([:])

    /// Creates an empty store.
    public init() {}

    public func write(
        key: String,
        contentType: String,
        fileName: String,
        _ body: (any ResultWriter) async throws -> Void
    ) async throws -> JobResult {
        let writer = Buffer()
        try await body(writer)
        let bytes = writer.bytes
        objects.withLock { $0[key] = (bytes, contentType) }
        return JobResult(
            key: key,
            size: Int64(bytes.count),
            sha256: SHA256Hex.digest(of: bytes),
            contentType: contentType,
            fileName: fileName
        )
    }

    /// Nothing outlives a write here: a failed write never stored anything.
    public func removeAbandonedWrites(startedBefore cutoff: Date) async throws -> Int { 0 }

    public func delete(key: String) async throws {
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }

    public func downloadURL(for result: JobResult, expiresIn seconds: Int, now: Date) throws -> URL {
        URL(string: "memory:///\(result.key)?expires=\(Int(now.timeIntervalSince1970) + seconds)")!
    }

    public func read(key: String, offset: Int64, length: Int) async throws -> [UInt8] {
        guard let bytes = bytes(forKey: key) else { throw JobError(.resultStorage, "no result stored under '\(key)'") }
        let start = Int(min(max(0, offset), Int64(bytes.count)))
        return Array(bytes[start..<min(bytes.count, start + max(0, length))])
    }

    /// The bytes stored under `key`.
    public func bytes(forKey key: String) -> [UInt8]? {
        objects.withLock { $0[key]?.bytes }
    }

    /// The keys of all stored objects.
    public var keys: [String] {
        objects.withLock { Array($0.keys) }
    }

    private final class Buffer: ResultWriter {
        var bytes: [UInt8] = []
        func write(_ bytes: [UInt8]) async throws {
            self.bytes.append(contentsOf: bytes)
        }
    }
}
