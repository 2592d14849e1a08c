public import Foundation

/// A result file that has been downloaded, checked and moved into place.
public struct DownloadedResult: Sendable, Hashable {
    /// Where the file is.
    public var file: URL
    /// Its size in bytes.
    public var size: Int64
    /// Lower-case hex SHA-256 of its bytes.
    public var sha256: String
    /// What the bytes were checked against: `"ETag (SHA-256)"`, `"ETag (MD5)"`, or `nil` when the
    /// server gave no checksum (the size is checked whenever the server gave it).
    public var checksumVerifiedBy: String?
    /// How many times the download resumed with `Range` after a broken connection or server error.
    public var resumptions: Int
    /// How many fresh links were fetched from the status URL after a 403.
    public var linkRenewals: Int
    /// The status whose link was used last.
    public var status: JobStatus?
}

/// How far a download has come, reported while it runs.
public struct DownloadProgress: Sendable, Hashable {
    /// Bytes in the file so far.
    public var receivedBytes: Int64
    /// The whole size, when the server said.
    public var totalBytes: Int64?

    /// The fraction done, 0–1, when the size is known.
    public var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return totalBytes == 0 ? 1 : nil }
        return Double(receivedBytes) / Double(totalBytes)
    }
}
