@testable import AsyncJobs
import Foundation
import Testing

@Suite struct JobIDTests {
    /// Hands out fixed words, so that the bytes behind an identifier are known.
    struct FixedWords: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test func bytesAreWrittenInOrderWithTheVersionAndVariantBitsSet() {
        // Little-endian words: the first word's low byte is the identifier's first byte.
        var generator = FixedWords(words: [0xFFEE_DDCC_BBAA_9988, 0x0011_2233_4455_6677])
        #expect(JobID.generate(using: &generator).rawValue == "8899aabb-ccdd-4eff-b766-554433221100")
        var zeros = FixedWords(words: [0, 0])
        #expect(JobID.generate(using: &zeros).rawValue == "00000000-0000-4000-8000-000000000000")
    }

    @Test func generatedIdentifiersAreLowerCaseVersion4UUIDsAndDistinct() throws {
        let pattern = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = JobID.generate().rawValue
            #expect(id.wholeMatch(of: pattern) != nil, "\(id)")
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test func identifiersDrawnConcurrentlyAcrossManyPoolRefillsAreDistinct() async {
        // 16,000 identifiers take 1,000 refills of the shared pool; a word handed out twice, or a
        // block used before it is filled, would repeat an identifier.
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<2_000).map { _ in JobID.generate().rawValue } }
            }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = batches.flatMap { $0 }
        #expect(all.count == 16_000)
        #expect(Set(all).count == 16_000)
        #expect(!all.contains("00000000-0000-4000-8000-000000000000"))
    }
}
