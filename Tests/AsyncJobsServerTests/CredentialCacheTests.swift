@testable import AsyncJobsServer
import Testing

@Suite struct CredentialCacheTests {
    let start = ContinuousClock.now

    @Test func remembersAValueUntilItsDeadline() {
        let cache = CredentialCache<String>()
        cache.store("tenant-a", forKey: "key", until: start.advanced(by: .seconds(10)))
        #expect(cache.value(forKey: "key", now: start) == "tenant-a")
        #expect(cache.value(forKey: "key", now: start.advanced(by: .seconds(9))) == "tenant-a")
        #expect(cache.value(forKey: "key", now: start.advanced(by: .seconds(10))) == nil, "gone at its deadline")
        #expect(cache.value(forKey: "key", now: start) == nil, "and forgotten once found expired")
        #expect(cache.value(forKey: "other", now: start) == nil)
    }

    @Test func startsOverWhenFull() {
        let cache = CredentialCache<Int>(capacity: 2)
        let later = start.advanced(by: .seconds(60))
        cache.store(1, forKey: "a", until: later)
        cache.store(2, forKey: "b", until: later)
        cache.store(3, forKey: "c", until: later)
        #expect(cache.value(forKey: "a", now: start) == nil)
        #expect(cache.value(forKey: "b", now: start) == nil)
        #expect(cache.value(forKey: "c", now: start) == 3)
    }
}
