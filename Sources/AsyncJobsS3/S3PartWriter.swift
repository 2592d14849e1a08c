import AsyncJobs
import Crypto
import Foundation

/// The ``ResultWriter`` of an S3 upload: fills one part at a time and hands each full part to the
/// uploader once a slot is free, hashing every byte on the way.
final class S3PartWriter: ResultWriter {
    let partSize: Int
    let slots: PartSlots
    let sink: AsyncStream<UploadPart>.Continuation
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var partsSent = 0

    /// Parts handed to the uploader so far.
    var partCount: Int { partsSent }
    private(set) var size: Int64 = 0

    init(partSize: Int, slots: PartSlots, sink: AsyncStream<UploadPart>.Continuation) {
        self.partSize = partSize
        self.slots = slots
        self.sink = sink
    }

    func write(_ bytes: [UInt8]) async throws {
        hasher.update(data: bytes)
        size += Int64(bytes.count)
        var rest = bytes[...]
        while !rest.isEmpty {
            let room = partSize - buffer.count
            buffer.append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
            if buffer.count == partSize {
                try await sendPart()
            }
        }
    }

    /// Sends the last, short part of a multipart upload; a result that never filled a part stays
    /// in the buffer for a single `PUT`.
    func finish() async throws {
        if partsSent > 0, !buffer.isEmpty {
            try await sendPart()
        }
    }

    /// The bytes of a result that fits one part.
    func takeBuffer() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    /// Lower-case hex SHA-256 of everything written.
    var digest: String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func sendPart() async throws {
        try await slots.acquire()
        partsSent += 1
        var part: [UInt8] = []
        part.reserveCapacity(partSize)
        swap(&part, &buffer)
        sink.yield(UploadPart(number: partsSent, bytes: part))
    }
}
