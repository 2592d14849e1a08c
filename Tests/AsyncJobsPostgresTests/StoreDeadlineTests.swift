import AsyncJobs
@testable import AsyncJobsPostgres
import Testing

/// While PostgreSQL is down the connection pool keeps callers waiting; store calls must instead fail
/// within their deadline with a storage error, which the API answers as 503 with Retry-After.
@Suite struct StoreDeadlineTests {
    struct PoolTrouble: Error {}

    @Test func aCallThatGetsNoAnswerFailsAtItsDeadline() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        await #expect { try await PostgresJobStore.answering(within: .milliseconds(200)) { try await Task.sleep(for: .seconds(30)) } } throws: { error in
            (error as? JobError)?.code == .storage
        }
        // The call sleeps 30 s; well under that means it was cancelled, not awaited (a loose bound: a
        // full parallel `swift test` on two cores has stretched 200 ms to 7 s).
        #expect(clock.now - started < .seconds(20), "the waiting call was cancelled, not awaited")
    }

    @Test func driverErrorsBecomeStorageErrorsAndAnswersPassThrough() async throws {
        await #expect { try await PostgresJobStore.answering(within: .seconds(5)) { () async throws -> Int in throw PoolTrouble() } } throws: { error in
            (error as? JobError)?.code == .storage
        }
        #expect(try await PostgresJobStore.answering(within: .seconds(5)) { 42 } == 42)
        #expect(try await PostgresJobStore.answering(within: nil) { 7 } == 7)
    }
}
