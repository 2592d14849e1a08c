#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Random 64-bit words from the system's random source, drawn a block at a time.
///
/// The standard library's `SystemRandomNumberGenerator` makes one `getrandom` system call per
/// word, two per job identifier: 2.4 % of the server's CPU time in the PostgreSQL throughput
/// benchmark. One `getentropy` call here fills 32 words, enough for 16 identifiers.
final class RandomWordPool: Sendable {
    /// The pool job identifiers are made from.
    static let shared = RandomWordPool()

    private struct Block {
        var words = [UInt64](repeating: 0, count: RandomWordPool.blockWords)
        var used = RandomWordPool.blockWords
    }

    /// `getentropy` hands out at most 256 bytes a call.
    private static let blockWords = 256 / MemoryLayout<UInt64>.size
    private let block = Mutex(Block())

    /// Two unused words; each word is handed out once.
    func nextPair() -> (UInt64, UInt64) {
        block.withLock { block in
            if block.used + 2 > block.words.count {
                block.words.withUnsafeMutableBytes { Self.fill($0) }
                block.used = 0
            }
            defer { block.used += 2 }
            return (block.words[block.used], block.words[block.used + 1])
        }
    }

    private static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        if getentropy(buffer.baseAddress!, buffer.count) == 0 { return }
        // No entropy system call (a kernel older than 3.17): the standard library's generator,
        // word by word, which stops the process rather than hand out predictable bits.
        var generator = SystemRandomNumberGenerator()
        for offset in stride(from: 0, to: buffer.count, by: MemoryLayout<UInt64>.size) {
            buffer.storeBytes(of: generator.next() as UInt64, toByteOffset: offset, as: UInt64.self)
        }
    }
}
