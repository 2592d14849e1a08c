import AsyncJobs
import Synchronization

/// A store that counts the claims that have returned and remembers the jobs they claimed.
final class ClaimCounting: JobStoreDecorator {
    let base: any JobStore
    let returned = Tally()
    private let claimed = Mutex<[JobID]>([])

    /// The jobs claimed so far, in the order the claims returned.
    var claimedIDs: [JobID] { claimed.withLock { $0 } }

    init(_ base: any JobStore) {
        self.base = base
    }

    func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
        defer { returned.add() }
        let jobs = try await base.claim(request)
        claimed.withLock { $0 += jobs.map(\.job.id) }
        return jobs
    }
}

/// A count shared between tasks.
final class Tally: Sendable {
    private let value = Mutex(0)

    var count: Int { value.withLock { $0 } }

    /// Adds one and returns the new count.
    @discardableResult
    func add() -> Int {
        value.withLock { value in
            value += 1
            return value
        }
    }
}
