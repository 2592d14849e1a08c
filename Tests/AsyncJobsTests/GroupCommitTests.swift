import AsyncJobs
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    @Test func completionsArrivingDuringAWriteShareTheNextOne() async throws {
        let batches = Mutex<[[Int]]>([])
        let batcher = GroupCommit<Int, Bool> { items in
            batches.withLock { $0.append(items) }
            try await Task.sleep(for: .milliseconds(20))
            return items.map { $0 % 3 != 0 }
        }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for item in 0..<30 { group.addTask { (item, try await batcher.submit(item)) } }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 30)
        for (item, tookEffect) in outcomes { #expect(tookEffect == (item % 3 != 0), "item \(item) gets its own outcome") }
        let written = batches.withLock { $0 }
        #expect(written.flatMap { $0 }.sorted() == Array(0..<30), "every item is written exactly once")
        #expect(written.count < 30, "items that queued during a write went together: \(written.map(\.count))")
        #expect(written.first?.count == 1, "the first item is written at once, without waiting to gather a batch")
    }

    @Test func aFailedWriteFailsEveryItemInItAndTheNextBatchStillRuns() async throws {
        struct Refused: Error {}
        let calls = Mutex(0)
        let firstWriteStarted = Latch()
        let releaseFirstWrite = Latch()
        let batcher = GroupCommit<Int, Bool> { items in
            let call = calls.withLock { count -> Int in
                count += 1
                return count
            }
            if call == 1 {
                firstWriteStarted.set()
                await releaseFirstWrite.wait()
                throw Refused()
            }
            return items.map { _ in true }
        }
        async let first = Result(catching: { try await batcher.submit(0) })
        // The second item arrives while the first write is in progress, so it goes in the next one.
        await firstWriteStarted.wait()
        async let second = Result(catching: { try await batcher.submit(1) })
        releaseFirstWrite.set()
        let (a, b) = await (first, second)
        #expect(throws: Refused.self) { try a.get() }
        #expect(try b.get() == true)
        #expect(calls.withLock { $0 } == 2)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
