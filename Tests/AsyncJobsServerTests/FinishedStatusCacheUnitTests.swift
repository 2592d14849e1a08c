import AsyncJobs
@testable import AsyncJobsServer
import Foundation
import NIOCore
import Testing

/// The cache's own rules, on a clock the test holds: lifetime, revision, and the single refresh claim.
@Suite struct FinishedStatusCacheUnitTests {
    let start = ContinuousClock.now
    let key = FinishedStatusCache.Key(tenant: TenantID("tn_a"), job: JobID("job-1"), mediaType: .json)

    func entry(_ state: JobState, readAt: ContinuousClock.Instant, revision: UInt64 = 0, second: Int64 = 100) -> FinishedStatusCache.Entry {
        let date = Date(timeIntervalSince1970: 0)
        let job = Job(
            id: key.job, tenantID: key.tenant, type: "demo.csv", parameters: [:], state: state,
            maxAttempts: 1, createdAt: date, updatedAt: date, runAfter: date
        )
        return .init(job: job, readAt: readAt, revision: revision, second: second, body: ByteBuffer(string: "{}"))
    }

    @Test func anEntryLastsItsLifetimeAndNoLonger() {
        let cache = FinishedStatusCache(lifetime: .seconds(1))
        cache.store(entry(.succeeded, readAt: start), for: key)
        #expect(cache.lookup(key, now: start, revision: 0)?.refresh == false)
        #expect(cache.lookup(key, now: start.advanced(by: .seconds(1)), revision: 0) == nil)
    }

    @Test func aChangeOnThisNodeDropsTheEntry() {
        let cache = FinishedStatusCache(lifetime: .seconds(60))
        cache.store(entry(.succeeded, readAt: start), for: key)
        #expect(cache.lookup(key, now: start, revision: 1) == nil)
        #expect(cache.lookup(key, now: start, revision: 0) == nil, "dropped, not only hidden")
    }

    @Test func unfinishedJobsAreNeverKept() {
        let cache = FinishedStatusCache(lifetime: .seconds(60))
        for state in [JobState.queued, .running] {
            cache.store(entry(state, readAt: start), for: key)
            #expect(cache.lookup(key, now: start, revision: 0) == nil, "\(state)")
        }
    }

    @Test func onePollInTheLastQuarterIsToldToReadAgainAndTheOthersKeepTheEntry() {
        let cache = FinishedStatusCache(lifetime: .seconds(1))
        cache.store(entry(.succeeded, readAt: start), for: key)
        #expect(cache.lookup(key, now: start.advanced(by: .milliseconds(700)), revision: 0)?.refresh == false, "not yet in the last quarter")
        let late = start.advanced(by: .milliseconds(800))
        #expect(cache.lookup(key, now: late, revision: 0)?.refresh == true)
        #expect(cache.lookup(key, now: late, revision: 0)?.refresh == false, "only one poll reads again")

        // Another poll re-signs in a new second from the same read: the claim stays taken.
        cache.store(entry(.succeeded, readAt: start, second: 101), for: key)
        #expect(cache.lookup(key, now: late, revision: 0)?.refresh == false)

        // The refresher's fresh read starts a new lifetime.
        cache.store(entry(.succeeded, readAt: late), for: key)
        let fresh = cache.lookup(key, now: start.advanced(by: .milliseconds(1200)), revision: 0)
        #expect(fresh?.refresh == false)
        #expect(fresh?.entry.readAt == late)
    }
}
