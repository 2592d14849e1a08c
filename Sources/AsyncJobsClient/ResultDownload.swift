import AsyncHTTPClient
import AsyncJobs
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// One download of a result link into a file: streams to a temporary file beside the destination,
/// resumes with `Range` after a broken connection, renews an expired link once through the status URL,
/// retries 404s, checks size and ETag checksum, and renames the file into place only when all is well.
struct ResultDownload {
    let client: AsyncJobsClient
    let destination: URL
    let statusURL: URL?
    let progress: (@Sendable (DownloadProgress) -> Void)?
    var policy: DownloadPolicy { client.configuration.download }

    var url: URL
    var status: JobStatus?
    var received: Int64 = 0
    var total: Int64?
    var entityTag: String?
    var digest = ResultDigest(checksum: nil)
    var resumptions = 0
    var linkRenewals = 0

    init(client: AsyncJobsClient, url: URL, status: JobStatus?, statusURL: URL?, destination: URL, progress: (@Sendable (DownloadProgress) -> Void)?) {
        self.client = client
        self.url = url
        self.status = status
        self.statusURL = statusURL
        self.destination = destination
        self.progress = progress
    }

    mutating func run() async throws -> DownloadedResult {
        // The finished file is renamed over the destination; that must never replace a device or a
        // pipe (think `/dev/null` when running as root), only a regular file.
        var info = stat()
        if lstat(destination.path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw AsyncJobsClientError(.fileSystem, "\(destination.path) exists and is not a regular file; it will not be replaced")
        }
        let directory = destination.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).part")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw AsyncJobsClientError(.fileSystem, "cannot create a temporary file in \(directory.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try await transfer(into: handle)
            try handle.synchronize()
            let verifiedBy = try verify()
            guard Foundation.rename(temporary.path, destination.path) == 0 else {
                throw AsyncJobsClientError(.fileSystem, "cannot move the download into place at \(destination.path) (errno \(errno))")
            }
            return DownloadedResult(
                file: destination,
                size: received,
                sha256: digest.sha256Hex,
                checksumVerifiedBy: verifiedBy,
                resumptions: resumptions,
                linkRenewals: linkRenewals,
                status: status
            )
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Requests the link until every byte is in the file.
    private mutating func transfer(into handle: FileHandle) async throws {
        var failures = 0
        var notFound = 0
        var renewedSinceBytes = false
        while true {
            try Task.checkCancellation()
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "Accept-Encoding", value: "identity")
            if received > 0 {
                request.headers.add(name: "Range", value: "bytes=\(received)-")
                if let entityTag, !entityTag.hasPrefix("W/") { request.headers.add(name: "If-Range", value: entityTag) }
            }
            let before = received
            let outcome: Outcome
            do {
                outcome = try await attempt(request, handle: handle)
            } catch let error as AsyncJobsClientError where error.isTransient {
                if received > before { failures = 0; renewedSinceBytes = false }
                failures += 1
                guard failures <= policy.maximumRetries else {
                    throw AsyncJobsClientError(
                        .transport,
                        "the download failed \(failures) times in a row at byte \(received): \(error.message)",
                        httpStatus: error.httpStatus,
                        underlying: error.underlying
                    )
                }
                if received > 0 { resumptions += 1 }
                try await Task.sleep(for: policy.delay(afterFailures: failures))
                continue
            }
            switch outcome {
            case .complete:
                return
            case .expired(let message):
                guard let statusURL, !renewedSinceBytes else {
                    throw AsyncJobsClientError(
                        .linkExpired,
                        "the result link was refused (403: \(message))" + (statusURL == nil ? " and there is no status URL to renew it" : " again after renewing it"),
                        httpStatus: 403,
                        lastStatus: status
                    )
                }
                let fresh = try await client.status(statusURL)
                guard fresh.status == .completed, let link = fresh.resultURL else {
                    throw AsyncJobsClientError(.linkExpired, "the result link expired and the status URL offers no new one (status \(fresh.status))", httpStatus: 403, lastStatus: fresh)
                }
                status = fresh
                url = link
                linkRenewals += 1
                renewedSinceBytes = true
            case .notFound:
                notFound += 1
                guard notFound <= policy.notFoundRetries else {
                    throw AsyncJobsClientError(.resultNotFound, "the result link answered 404 \(notFound) times", httpStatus: 404, lastStatus: status)
                }
                try await Task.sleep(for: policy.notFoundDelay * notFound)
            }
            if received > before { failures = 0; renewedSinceBytes = false }
        }
    }

    enum Outcome {
        case complete
        case expired(String)
        case notFound
    }

    /// One request: streams a 200 or 206 into the file; other answers become an outcome or an error.
    private mutating func attempt(_ request: HTTPClientRequest, handle: FileHandle) async throws -> Outcome {
        let response: HTTPClientResponse
        do {
            response = try await client.httpClient.execute(request, timeout: .nanoseconds(client.configuration.requestTimeout.nanoseconds))
        } catch {
            throw AsyncJobsClient.transportError(error, request.url)
        }
        let code = Int(response.status.code)
        let etag = response.headers.first(name: "ETag")
        switch code {
        case 200:
            if received > 0 {
                // The server sent the whole body again: start over rather than append it.
                try restart(handle)
            }
            entityTag = etag
            total = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
            digest = ResultDigest(checksum: etag.flatMap(ETagChecksum.init))
        case 206:
            let range = response.headers.first(name: "Content-Range").flatMap(ContentRange.init)
            guard let range, range.start == received, etag == entityTag else {
                // Not the bytes asked for, or the object changed: start over from the first byte.
                try restart(handle)
                _ = try? await response.body.collect(upTo: 0)
                // Counted like a broken connection, so a server that keeps doing it cannot loop us forever.
                throw AsyncJobsClientError(.transport, "the server answered a resumed request with other bytes or another object")
            }
            if let size = range.total { total = size }
        case 416 where total != nil && received == total:
            return .complete
        case 403:
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            return .expired(Self.s3Message(body) ?? "Forbidden")
        case 404:
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .notFound
        default:
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { Data($0.readableBytesView) } ?? Data()
            throw APIResponse(status: code, headers: response.headers, body: body).error("the download failed")
        }
        do {
            for try await chunk in response.body {
                try write(chunk, to: handle)
            }
        } catch let error as AsyncJobsClientError where error.code == .fileSystem {
            throw error
        } catch {
            throw AsyncJobsClient.transportError(error, request.url)
        }
        if let total, received < total {
            throw AsyncJobsClientError(.transport, "the connection closed after \(received) of \(total) bytes")
        }
        return .complete
    }

    private mutating func write(_ chunk: ByteBuffer, to handle: FileHandle) throws {
        do {
            try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
        } catch {
            throw AsyncJobsClientError(.fileSystem, "cannot write to the temporary file", underlying: error)
        }
        digest.update(chunk)
        received += Int64(chunk.readableBytes)
        progress?(DownloadProgress(receivedBytes: received, totalBytes: total))
    }

    private mutating func restart(_ handle: FileHandle) throws {
        try handle.truncate(atOffset: 0)
        try handle.seek(toOffset: 0)
        received = 0
        digest = ResultDigest(checksum: nil)
        entityTag = nil
        total = nil
    }

    /// Checks the size and checksum the server announced.
    private func verify() throws -> String? {
        if let total, received != total {
            throw AsyncJobsClientError(.integrityCheckFailed, "received \(received) bytes but the server announced \(total)")
        }
        guard let checksum = digest.checksum else { return nil }
        let actual = digest.hex(of: checksum.algorithm)
        guard actual == checksum.hex else {
            throw AsyncJobsClientError(
                .integrityCheckFailed,
                "the \(checksum.algorithm.rawValue) of the \(received) bytes received is \(actual), the ETag says \(checksum.hex)"
            )
        }
        return "ETag (\(checksum.algorithm.rawValue))"
    }

    /// The `<Message>` of an S3 XML error.
    static func s3Message(_ xml: String) -> String? {
        guard let start = xml.range(of: "<Message>"), let end = xml.range(of: "</Message>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }
}

/// A `Content-Range: bytes START-END/TOTAL` header (TOTAL may be `*`).
struct ContentRange: Equatable {
    var start: Int64
    var end: Int64
    var total: Int64?
}

extension ContentRange {
    init?(_ header: String) {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/", maxSplits: 1)
        let bounds = parts.first?.split(separator: "-", maxSplits: 1) ?? []
        guard parts.count == 2, bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start <= end else { return nil }
        self.init(start: start, end: end, total: parts[1] == "*" ? nil : Int64(parts[1]))
    }
}

/// A checksum an ETag carries: a strong ETag of 64 hex digits is a SHA-256 (this server), one of 32 is
/// an MD5 (S3's single-part uploads); anything else (weak, multipart `…-N`) says nothing checkable.
struct ETagChecksum: Equatable {
    enum Algorithm: String {
        case sha256 = "SHA-256"
        case md5 = "MD5"
    }

    var algorithm: Algorithm
    var hex: String

    init?(_ etag: String) {
        guard !etag.hasPrefix("W/") else { return nil }
        let value = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
        guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        switch value.utf8.count {
        case 64: algorithm = .sha256
        case 32: algorithm = .md5
        default: return nil
        }
        hex = value
    }
}

/// SHA-256 of every download, plus MD5 when the ETag is one.
struct ResultDigest {
    let checksum: ETagChecksum?
    private var sha256 = SHA256()
    private var md5: Insecure.MD5?

    init(checksum: ETagChecksum?) {
        self.checksum = checksum
        md5 = checksum?.algorithm == .md5 ? Insecure.MD5() : nil
    }

    mutating func update(_ chunk: ByteBuffer) {
        chunk.withUnsafeReadableBytes { bytes in
            sha256.update(bufferPointer: bytes)
            md5?.update(bufferPointer: bytes)
        }
    }

    var sha256Hex: String { Self.hex(sha256.finalize()) }

    func hex(of algorithm: ETagChecksum.Algorithm) -> String {
        switch algorithm {
        case .sha256: sha256Hex
        case .md5: md5.map { Self.hex($0.finalize()) } ?? ""
        }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
