public import AsyncJobs
import Crypto
public import Foundation
public import SigV4

/// A ``ResultStore`` in a local directory, downloaded through the server's own SigV4-verified route.
///
/// Layout under the root: `objects/<key>` holds the bytes, `meta/<key>.json` the size, checksum and
/// media type, `tmp/` the files being written. A result is written to `tmp/`, flushed to disk, and
/// only then renamed into place, so a crash never leaves a truncated file under a key.
public struct FileResultStore: ResultStore {
    /// What the store knows of one object.
    public struct Metadata: Codable, Sendable, Equatable {
        /// Size in bytes.
        public var size: Int64
        /// Lower-case hex SHA-256.
        public var sha256: String
        /// Media type.
        public var contentType: String
        /// Suggested file name.
        public var fileName: String
    }

    /// The root directory.
    public let root: URL
    /// Signs download URLs.
    public let signer: SigV4Signer
    /// The server's public base URL; download links point at `<publicURL>/v1/results/<key>`.
    public let publicURL: URL

    /// Opens (creating if needed) a store under `root`.
    public init(root: URL, signer: SigV4Signer, publicURL: URL) throws {
        self.root = root
        self.signer = signer
        self.publicURL = publicURL
        for directory in ["objects", "meta", "tmp"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(directory),
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
    }

    func objectURL(_ key: String) -> URL { root.appendingPathComponent("objects").appendingPathComponent(key) }
    func metadataURL(_ key: String) -> URL { root.appendingPathComponent("meta").appendingPathComponent(key + ".json") }

    public func write(
        key: String,
        contentType: String,
        fileName: String,
        _ body: (any ResultWriter) async throws -> Void
    ) async throws -> JobResult {
        guard ResultKey.isValid(key) else {
            throw JobError(.resultStorage, "'\(key)' is not a valid result key")
        }
        let temporary = root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw JobError(.resultStorage, "cannot create a temporary file in \(temporary.deletingLastPathComponent().path)")
        }
        do {
            let writer = try FileWriter(url: temporary)
            do {
                try await body(writer)
                try writer.finish()
            } catch {
                try? writer.handle.close()
                throw error
            }
            let metadata = Metadata(size: writer.size, sha256: writer.digest, contentType: contentType, fileName: fileName)
            let object = objectURL(key)
            let metadataFile = metadataURL(key)
            try FileManager.default.createDirectory(at: object.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: metadataFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Metadata first: an object is served only when both exist, and the object's rename is the
            // single step that publishes it.
            try JSONEncoder().encode(metadata).write(to: metadataFile, options: .atomic)
            try Self.rename(temporary, to: object)
            return JobResult(key: key, size: metadata.size, sha256: metadata.sha256, contentType: contentType, fileName: fileName)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func delete(key: String) async throws {
        guard ResultKey.isValid(key) else { return }
        for url in [objectURL(key), metadataURL(key)] where FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    public func downloadURL(for result: JobResult, expiresIn seconds: Int, now: Date) throws -> URL {
        let url = publicURL.appendingPathComponent("v1/results").appendingPathComponent(result.key)
        return try signer.presignedURL(url: url, expires: seconds, date: now)
    }

    /// The metadata of a published object, or `nil` when there is none (never written, or deleted).
    public func read(key: String, offset: Int64, length: Int) async throws -> [UInt8] {
        guard ResultKey.isValid(key) else { throw JobError(.resultStorage, "'\(key)' is not a result key") }
        do {
            let handle = try FileHandle(forReadingFrom: objectURL(key))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(max(0, offset)))
            return Array(try handle.read(upToCount: max(0, length)) ?? Data())
        } catch {
            throw JobError(.resultStorage, "cannot read the result '\(key)'", underlying: error)
        }
    }

    public func metadata(forKey key: String) -> Metadata? {
        guard ResultKey.isValid(key), FileManager.default.fileExists(atPath: objectURL(key).path),
            let data = try? Data(contentsOf: metadataURL(key))
        else { return nil }
        return try? JSONDecoder().decode(Metadata.self, from: data)
    }

    /// Removes files left in `tmp/` by writes that a crash interrupted and that nobody has written
    /// to since `cutoff`: another process sharing the directory may still be writing the younger ones.
    @discardableResult
    public func removeAbandonedWrites(startedBefore cutoff: Date) async throws -> Int {
        let directory = root.appendingPathComponent("tmp")
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let file = directory.appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date
            if let modified, modified < cutoff, (try? FileManager.default.removeItem(at: file)) != nil { removed += 1 }
        }
        return removed
    }

    private static func rename(_ source: URL, to destination: URL) throws {
        guard Foundation.rename(source.path, destination.path) == 0 else {
            throw JobError(.resultStorage, "cannot move the result into place at \(destination.path) (errno \(errno))")
        }
    }
}

/// Streams bytes to a file, hashing as it goes, and flushes them to disk before the file is published.
final class FileWriter: ResultWriter {
    let handle: FileHandle
    private var hasher = SHA256()
    private(set) var size: Int64 = 0
    private(set) var digest = ""

    init(url: URL) throws {
        handle = try FileHandle(forWritingTo: url)
    }

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        hasher.update(data: bytes)
        try handle.write(contentsOf: bytes)
        size += Int64(bytes.count)
    }

    func finish() throws {
        try handle.synchronize()
        try handle.close()
        digest = SHA256Hex.hex(hasher.finalize())
    }
}
