public import Foundation

/// Where result files live: a local directory, or an S3-compatible bucket.
///
/// A result becomes visible only once it has been written completely: readers never see a partial
/// object, and a crash mid-write leaves nothing behind under the key.
public protocol ResultStore: Sendable {
    /// Streams a new object under `key`: `body` writes the bytes, and the object is published, with
    /// its size and SHA-256, only when `body` returns. If `body` throws, nothing is published.
    func write(
        key: String,
        contentType: String,
        fileName: String,
        _ body: (any ResultWriter) async throws -> Void
    ) async throws -> JobResult

    /// Deletes the object under `key`; deleting a missing object is not an error.
    func delete(key: String) async throws

    /// A URL that lets anyone holding it download the result until it expires, with no other credentials.
    func downloadURL(for result: JobResult, expiresIn seconds: Int, now: Date) throws -> URL

    /// Up to `length` bytes of the object under `key`, from `offset`: for small reads such as the
    /// SOAP face's inline results. Downloads of whole results go through ``downloadURL(for:expiresIn:now:)``.
    func read(key: String, offset: Int64, length: Int) async throws -> [UInt8]
    /// Removes what writes interrupted by a crash left behind (temporary files, incomplete multipart
    /// uploads) that started before `cutoff`, and returns how many it removed. Younger ones stay:
    /// another node may still be writing them.
    func removeAbandonedWrites(startedBefore cutoff: Date) async throws -> Int
}

/// The sink a handler streams its result into.
public protocol ResultWriter: AnyObject {
    /// Appends bytes to the result.
    func write(_ bytes: [UInt8]) async throws
}

extension ResultWriter {
    /// Appends the UTF-8 bytes of `text` to the result.
    public func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }
}

/// The key under which a job attempt's result is stored.
///
/// Each attempt gets its own key, so a worker that lost its lease can never overwrite the file of the
/// worker that re-ran the job.
public enum ResultKey {
    /// `tenant/job/attempt/fileName`, with the file name reduced to safe characters.
    public static func make(tenantID: TenantID, jobID: JobID, attempt: Int, fileName: String) -> String {
        "\(tenantID.rawValue)/\(jobID.rawValue)/\(attempt)/\(sanitizedFileName(fileName))"
    }

    /// Keeps letters, digits, `.`, `-` and `_`; anything else becomes `_`. Never empty, never hidden.
    public static func sanitizedFileName(_ name: String) -> String {
        var cleaned = String(
            name.unicodeScalars.map { scalar -> Character in
                let allowed = scalar.isASCII
                    && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-" || scalar == "_")
                return allowed ? Character(scalar) : "_"
            }
        )
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.isEmpty { cleaned = "result" }
        return String(cleaned.prefix(128))
    }

    /// Whether `key` is one this service could have made: segments of safe characters, no `.` or `..`.
    public static func isValid(_ key: String) -> Bool {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...8).contains(segments.count), key.utf8.count <= 512 else { return false }
        return segments.allSatisfy { segment in
            !segment.isEmpty && !segment.hasPrefix(".")
                && segment.unicodeScalars.allSatisfy { scalar in
                    scalar.isASCII
                        && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-" || scalar == "_")
                }
        }
    }
}
