import AsyncJobs
import Testing

@Suite struct JobStateTests {
    @Test func onlyTheDesignedTransitionsExist() {
        let allowed: Set<String> = [
            "queued>running", "queued>cancelled", "running>queued", "running>succeeded", "running>failed", "running>cancelled",
        ]
        for from in JobState.allCases {
            for to in JobState.allCases {
                #expect(from.canTransition(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
    }

    @Test func terminalStatesAreFinal() {
        #expect(JobState.allCases.filter(\.isTerminal) == [.succeeded, .failed, .cancelled])
        for state in JobState.allCases where state.isTerminal {
            #expect(JobState.allCases.allSatisfy { !state.canTransition(to: $0) })
        }
    }

    @Test func backoffGrowsExponentiallyWithJitterAndCap() {
        let backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(10))
        for _ in 0..<200 {
            let first = backoff.delay(afterAttempt: 1)
            #expect(first >= .milliseconds(500) && first <= .seconds(1))
            let third = backoff.delay(afterAttempt: 3)
            #expect(third >= .seconds(2) && third <= .seconds(4))
            let capped = backoff.delay(afterAttempt: 40)
            #expect(capped >= .seconds(5) && capped <= .seconds(10))
        }
        let samples = Set((0..<50).map { _ in backoff.delay(afterAttempt: 2) })
        #expect(samples.count > 1, "jitter spreads retries")
    }
}
