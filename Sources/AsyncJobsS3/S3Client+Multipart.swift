public import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// One incomplete multipart upload in the bucket.
    public struct IncompleteUpload: Sendable, Hashable {
        /// The full object key, with the prefix.
        public var key: String
        /// The upload's id.
        public var uploadID: String
        /// When the upload was started, as the bucket reports it.
        public var initiated: Date?
    }

    /// Starts a multipart upload and returns its id.
    func createMultipartUpload(key: String, contentType: String) async throws -> String {
        let response = try await send(.POST, key: key, query: "uploads", headers: [("Content-Type", contentType)])
        guard let id = S3XML.value(of: "UploadId", in: response.body), !id.isEmpty else {
            throw S3Error(.invalidResponse, "CreateMultipartUpload for \(key) returned no UploadId")
        }
        return id
    }

    /// Uploads part `number` (from 1) and returns its ETag.
    func uploadPart(key: String, uploadID: String, number: Int, bytes: ByteBuffer) async throws -> String {
        let response = try await send(.PUT, key: key, query: "partNumber=\(number)&uploadId=\(queryEncoded(uploadID))", body: bytes)
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Error(.invalidResponse, "UploadPart \(number) of \(key) returned no ETag")
        }
        return etag
    }

    /// Completes a multipart upload from its parts' ETags, in order.
    func completeMultipartUpload(key: String, uploadID: String, etags: [String]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escaped(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(.POST, key: key, query: "uploadId=\(queryEncoded(uploadID))", headers: [("Content-Type", "application/xml")], body: ByteBuffer(string: xml))
        // S3 may answer 200 and still report a failure in the body.
        if S3XML.value(of: "Code", in: response.body) != nil, S3XML.value(of: "ETag", in: response.body) == nil {
            throw S3Error(.requestFailed, "CompleteMultipartUpload of \(key): \(S3XML.value(of: "Code", in: response.body) ?? "error")", status: response.status)
        }
    }

    /// Aborts a multipart upload, dropping its parts; an upload already gone is not an error.
    func abortMultipartUpload(key: String, uploadID: String) async throws {
        _ = try await send(.DELETE, key: key, query: "uploadId=\(queryEncoded(uploadID))", accept: [200, 204, 404])
    }

    /// The incomplete multipart uploads under the configured prefix (first 1000).
    public func incompleteUploads() async throws -> [IncompleteUpload] {
        let prefix = configuration.keyPrefix.isEmpty ? "" : "&prefix=\(queryEncoded(configuration.keyPrefix + "/"))"
        let response = try await send(.GET, key: nil, query: "uploads" + prefix)
        return S3XML.elements("Upload", in: response.body).compactMap { upload in
            guard let key = S3XML.value(of: "Key", in: upload), let id = S3XML.value(of: "UploadId", in: upload) else { return nil }
            return IncompleteUpload(key: key, uploadID: id, initiated: S3XML.value(of: "Initiated", in: upload).flatMap(S3XML.date))
        }
    }

    /// Whether the bucket exists and the credentials may read it.
    public func checkBucket() async throws {
        _ = try await send(.HEAD, key: nil)
    }

    /// Creates the bucket (for tests and local set-ups); an existing bucket of ours is not an error.
    public func createBucket() async throws {
        var body: ByteBuffer?
        if configuration.region != "us-east-1" {
            body = ByteBuffer(string: "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>")
        }
        do {
            _ = try await send(.PUT, key: nil, body: body)
        } catch let error as S3Error where error.status == 409 && error.message.contains("BucketAlreadyOwnedByYou") {
            return
        }
    }
}
