import AsyncJobs
import Crypto
import Foundation
import NIOCore

/// The ``ResultWriter`` of an S3 upload: fills one part at a time and hands each full part to the
/// uploader once a slot is free, hashing every byte on the way.
///
/// A part is a `ByteBuffer` that AsyncHTTPClient sends as it is, so each byte is held once: in the
/// part being filled or in a part being uploaded.
final class S3PartWriter: ResultWriter {
    let partSize: Int
    let slots: PartSlots
    let sink: AsyncStream<UploadPart>.Continuation
    private var buffer: ByteBuffer
    private var hasher = SHA256()
    private var partsSent = 0

    /// Parts handed to the uploader so far.
    var partCount: Int { partsSent }
    private(set) var size: Int64 = 0

    init(partSize: Int, slots: PartSlots, sink: AsyncStream<UploadPart>.Continuation) {
        self.partSize = partSize
        self.slots = slots
        self.sink = sink
        self.buffer = ByteBuffer()
    }

    func write(_ bytes: [UInt8]) async throws {
        hasher.update(data: bytes)
        size += Int64(bytes.count)
        var rest = bytes[...]
        while !rest.isEmpty {
            if buffer.capacity < partSize { buffer.reserveCapacity(partSize) }
            let room = partSize - buffer.readableBytes
            buffer.writeBytes(rest.prefix(room))
            rest = rest.dropFirst(room)
            if buffer.readableBytes == partSize {
                try await sendPart()
            }
        }
    }

    /// Sends the last, short part of a multipart upload; a result that never filled a part stays
    /// in the buffer for a single `PUT`.
    func finish() async throws {
        if partsSent > 0, buffer.readableBytes > 0 {
            try await sendPart()
        }
    }

    /// The bytes of a result that fits one part.
    func takeBuffer() -> ByteBuffer {
        defer { buffer = ByteBuffer() }
        return buffer
    }

    /// Lower-case hex SHA-256 of everything written.
    var digest: String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func sendPart() async throws {
        try await slots.acquire()
        partsSent += 1
        let part = buffer
        // A fresh buffer for the next part: the uploader owns this one now.
        buffer = ByteBuffer()
        sink.yield(UploadPart(number: partsSent, bytes: part))
    }
}
