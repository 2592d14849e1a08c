import AsyncJobs
import AsyncJobsTestSupport
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    @Test func completionsArrivingDuringAWriteShareTheNextOne() async throws {
        let batches = Mutex<[[Int]]>([])
        let releaseFirstWrite = Latch()
        let batcher = GroupCommit<Int, Bool> { items in
            let isFirst = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if isFirst { await releaseFirstWrite.wait() }
            return items.map { $0 % 3 != 0 }
        }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool)?.self) { group in
            for item in 0..<30 { group.addTask { (item, try await batcher.submit(item)) } }
            group.addTask {
                // The first write holds until the other 29 have queued behind it.
                try await eventually("29 items to queue during the first write") { batcher.waitingCount == 29 }
                releaseFirstWrite.set()
                return nil
            }
            return try await group.reduce(into: [Int: Bool]()) { if let (item, outcome) = $1 { $0[item] = outcome } }
        }
        #expect(outcomes.count == 30)
        for (item, tookEffect) in outcomes { #expect(tookEffect == (item % 3 != 0), "item \(item) gets its own outcome") }
        let written = batches.withLock { $0 }
        #expect(written.flatMap { $0 }.sorted() == Array(0..<30), "every item is written exactly once")
        #expect(written.map(\.count) == [1, 29], "the first item is written at once, without waiting to gather a batch; the 29 that queued during its write go together")
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
        try await eventually("the second item to queue behind the first write") { batcher.waitingCount == 1 }
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
