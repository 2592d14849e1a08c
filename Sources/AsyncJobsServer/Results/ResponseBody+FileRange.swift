import Hummingbird
import NIOCore
import _NIOFileSystem

extension ResponseBody {
    /// The bytes of `range` of the file at `path`, read in `chunkLength` pieces with the next piece
    /// read while the current one is written.
    ///
    /// Hummingbird's `FileIO` reads 128 KiB pieces through a stream that buffers up to eight of them
    /// ahead. Large pieces halve the hops between the file thread pool and the event loop per byte,
    /// but eight of them ahead would cost megabytes per download; one piece ahead keeps a download
    /// at about two pieces of memory and still overlaps reading with writing.
    static func fileRange(path: String, range: Range<Int>, chunkLength: Int = 1 << 20) -> ResponseBody {
        ResponseBody(contentLength: range.count) { writer in
            try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { file in
                var offset = range.lowerBound
                guard offset < range.upperBound else { return }
                var current = try await piece(of: file, path: path, at: offset, upTo: range.upperBound, chunkLength: chunkLength)
                while true {
                    offset += current.readableBytes
                    guard offset < range.upperBound else { break }
                    let nextOffset = offset
                    async let next = piece(of: file, path: path, at: nextOffset, upTo: range.upperBound, chunkLength: chunkLength)
                    try await writer.write(current)
                    current = try await next
                }
                try await writer.write(current)
            }
            try await writer.finish(nil)
        }
    }

    private static func piece(of file: ReadFileHandle, path: String, at offset: Int, upTo end: Int, chunkLength: Int) async throws -> ByteBuffer {
        let buffer = try await file.readChunk(fromAbsoluteOffset: Int64(offset), length: .bytes(Int64(min(chunkLength, end - offset))))
        // A file cut short under us would otherwise be read from the same offset forever.
        guard buffer.readableBytes > 0 else { throw FileRangeError(path: path, offset: offset) }
        return buffer
    }
}

/// The result file ended before the size its metadata records.
struct FileRangeError: Error, CustomStringConvertible {
    let path: String
    let offset: Int

    var description: String { "the file \(path) ended at byte \(offset), before the range to send" }
}
