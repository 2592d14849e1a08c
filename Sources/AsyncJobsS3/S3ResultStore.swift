public import AsyncHTTPClient
public import AsyncJobs
public import Foundation
public import Logging
import NIOCore
import SigV4

/// A ``ResultStore`` in an S3-compatible bucket (AWS S3, MinIO, Ceph, moto): many nodes share the
/// results, and clients download them straight from the bucket through pre-signed links.
///
/// A result smaller than one part goes up in a single `PUT`; a larger one as a multipart upload
/// streamed from the handler's writer, at most ``S3Configuration/partConcurrency`` parts at a time,
/// so an upload never holds more than about `(partConcurrency + 1) × partSize` bytes. An upload that
/// fails or is cancelled is aborted, so no incomplete upload is left in the bucket.
///
/// ```swift
/// let store = S3ResultStore(configuration: try S3Configuration(
///     url: "s3://results?endpoint=http://127.0.0.1:9000&path-style=true",
///     environment: ProcessInfo.processInfo.environment
/// ))
/// let queue = JobQueue(store: jobs, results: store, registry: registry)
/// ```
public struct S3ResultStore: ResultStore {
    /// The client that talks to the bucket.
    public let client: S3Client
    /// The keys this node is uploading, which no sweep may abort, whatever start time the bucket
    /// reports for them (moto reports the same fixed instant in 2010 for every upload).
    private let uploading = UploadingKeys()

    /// Creates a store.
    /// - Parameters:
    ///   - configuration: The bucket and how to reach it.
    ///   - httpClient: The HTTP client; by default the process-wide shared one.
    ///   - logger: Where retries and aborts are logged.
    public init(configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "asyncjobs.s3")) {
        self.client = S3Client(configuration: configuration, httpClient: httpClient, logger: logger)
    }

    /// The bucket and how to reach it.
    public var configuration: S3Configuration { client.configuration }

    /// Aborts the incomplete multipart uploads under the key prefix that started before `cutoff`:
    /// those of nodes killed mid-upload, whose parts the bucket would otherwise keep (and bill) for
    /// ever. Uploads this node is running are never aborted. Each sweep handles up to 1,000; the next
    /// sweep takes the rest. (A bucket lifecycle rule `AbortIncompleteMultipartUpload` does the same
    /// job where the bucket offers one.)
    @discardableResult
    public func removeAbandonedWrites(startedBefore cutoff: Date) async throws -> Int {
        let prefix = configuration.keyPrefix.isEmpty ? "" : configuration.keyPrefix + "/"
        var aborted = 0
        // The listing already asks the bucket for this prefix only.
        for upload in try await client.incompleteUploads() {
            let key = String(upload.key.dropFirst(prefix.count))
            guard let initiated = upload.initiated, initiated < cutoff, !uploading.contains(key) else { continue }
            try await client.abortMultipartUpload(key: key, uploadID: upload.uploadID)
            aborted += 1
        }
        return aborted
    }

    public func write(
        key: String,
        contentType: String,
        fileName: String,
        _ body: (any ResultWriter) async throws -> Void
    ) async throws -> JobResult {
        guard ResultKey.isValid(key) else {
            throw JobError(.resultStorage, "'\(key)' is not a valid result key")
        }
        uploading.insert(key)
        defer { uploading.remove(key) }
        let slots = PartSlots(count: configuration.partConcurrency)
        let (parts, partSink) = AsyncStream<UploadPart>.makeStream()
        let writer = S3PartWriter(partSize: configuration.partSize, slots: slots, sink: partSink)
        let client = self.client
        return try await withThrowingTaskGroup(of: UploadedParts.self) { group in
            group.addTask {
                try await client.uploadParts(parts, key: key, contentType: contentType, slots: slots)
            }
            var bodyError: (any Error)?
            do {
                try await body(writer)
                try await writer.finish()
            } catch {
                bodyError = error
            }
            partSink.finish()
            let uploaded: UploadedParts
            do {
                uploaded = try await group.next()!
            } catch {
                throw Self.storageError(bodyError ?? error, key: key)
            }
            if let bodyError {
                if let uploadID = uploaded.uploadID {
                    await client.abortQuietly(key: key, uploadID: uploadID)
                }
                throw bodyError
            }
            do {
                if let uploadID = uploaded.uploadID {
                    do {
                        guard uploaded.etags.count == writer.partCount else {
                            throw S3Error(.invalidResponse, "\(uploaded.etags.count) of \(writer.partCount) parts were uploaded")
                        }
                        try await client.completeMultipartUpload(key: key, uploadID: uploadID, etags: uploaded.etags)
                    } catch {
                        await client.abortQuietly(key: key, uploadID: uploadID)
                        throw error
                    }
                } else {
                    try await client.putObject(key: key, contentType: contentType, bytes: writer.takeBuffer())
                }
            } catch {
                throw Self.storageError(error, key: key)
            }
            return JobResult(key: key, size: writer.size, sha256: writer.digest, contentType: contentType, fileName: fileName)
        }
    }

    public func delete(key: String) async throws {
        do {
            try await client.deleteObject(key: key)
        } catch {
            throw Self.storageError(error, key: key)
        }
    }

    public func downloadURL(for result: JobResult, expiresIn seconds: Int, now: Date) throws -> URL {
        var url = configuration.objectURL(key: result.key)
        if configuration.contentDisposition {
            let disposition = "attachment; filename=\"\(ResultKey.sanitizedFileName(result.fileName))\""
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
            components.percentEncodedQuery = "response-content-disposition=" + queryEncoded(disposition)
            url = components.url!
        }
        return try client.signer.presignedURL(url: url, expires: seconds, date: now)
    }

    public func read(key: String, offset: Int64, length: Int) async throws -> [UInt8] {
        do {
            return try await client.getRange(key: key, offset: offset, length: length)
        } catch {
            throw Self.storageError(error, key: key)
        }
    }

    static func storageError(_ error: any Error, key: String) -> any Error {
        if error is CancellationError || error is JobError { return error }
        return JobError(.resultStorage, "S3 could not store or read '\(key)'", underlying: error)
    }
}

/// A part of a multipart upload, numbered from 1.
struct UploadPart: Sendable {
    var number: Int
    var bytes: ByteBuffer
}

/// What the part uploader did: nothing (`uploadID == nil`, the result fits one `PUT`), or a
/// multipart upload with its parts' ETags in order.
struct UploadedParts: Sendable {
    var uploadID: String?
    var etags: [String]
}

extension S3Client {
    /// Uploads the parts that arrive, each in its own child task; a slot freed by a finished part
    /// lets the writer hand over the next. On failure aborts the upload and rethrows.
    func uploadParts(_ parts: AsyncStream<UploadPart>, key: String, contentType: String, slots: PartSlots) async throws -> UploadedParts {
        var uploadID: String?
        do {
            var etags: [Int: String] = [:]
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for await part in parts {
                    let id: String
                    if let uploadID {
                        id = uploadID
                    } else {
                        id = try await createMultipartUpload(key: key, contentType: contentType)
                        uploadID = id
                    }
                    group.addTask {
                        do {
                            let etag = try await uploadPart(key: key, uploadID: id, number: part.number, bytes: part.bytes)
                            slots.release()
                            return (part.number, etag)
                        } catch {
                            slots.fail(error)
                            throw error
                        }
                    }
                }
                for try await (number, etag) in group {
                    etags[number] = etag
                }
                // A cancelled task stops reading parts early: never complete an upload with parts missing.
                try Task.checkCancellation()
            }
            return UploadedParts(uploadID: uploadID, etags: etags.keys.sorted().map { etags[$0]! })
        } catch {
            slots.fail(error)
            if let uploadID {
                await abortQuietly(key: key, uploadID: uploadID)
            }
            throw error
        }
    }

    /// Aborts a multipart upload, logging rather than throwing when that fails too.
    func abortQuietly(key: String, uploadID: String) async {
        do {
            try await abortMultipartUpload(key: key, uploadID: uploadID)
            logger.info("aborted a multipart upload", metadata: ["key": "\(key)"])
        } catch {
            logger.error("could not abort a multipart upload; its parts stay in the bucket", metadata: ["key": "\(key)", "upload.id": "\(uploadID)", "error": "\(error)"])
        }
    }
}
