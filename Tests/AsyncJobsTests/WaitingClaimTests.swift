import AsyncJobs
import AsyncJobsTestSupport
import Foundation
import Testing

/// The bookkeeping between an idle pool's offer and the transactions that fill it.
@Suite struct WaitingClaimTests {
    static func offer(limit: Int) -> WaitingClaim {
        WaitingClaim(workerID: "w", types: ["x"], limit: limit, leaseDuration: .seconds(30))
    }

    /// Real claimed jobs, from a memory store.
    static func claimedJobs(_ count: Int) async throws -> [ClaimedJob] {
        let store = MemoryJobStore()
        for n in 0..<count {
            _ = try await store.submit(NewJob(tenantID: TenantID("t"), type: "x", parameters: ["n": .number(Double(n))], maxAttempts: 1, now: Date()))
        }
        return try await store.claim(ClaimRequest(workerID: "w", types: nil, limit: count, leaseExpiry: Date() + 30, now: Date()))
    }

    @Test func aTransactionTakesEveryFreePlaceAndGivesBackWhatItDidNotFill() async throws {
        let offer = Self.offer(limit: 3)
        let jobs = try await Self.claimedJobs(2)

        #expect(offer.reserve() == 3)
        #expect(offer.reserve() == 0)
        offer.settle(reserved: 3, claimed: [jobs[0]])
        #expect(offer.reserve() == 2)
        // Rolled back: its places are free again and nothing is handed over.
        offer.settle(reserved: 2, claimed: [])
        #expect(offer.reserve() == 2)
        offer.settle(reserved: 2, claimed: [jobs[1]])

        #expect(await offer.end().map(\.lease) == jobs.map(\.lease))
    }

    @Test func endWaitsForATransactionThatHasReservedPlaces() async throws {
        let offer = Self.offer(limit: 2)
        let jobs = try await Self.claimedJobs(1)
        #expect(offer.reserve() == 2)

        let ended = Latch()
        try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
            group.addTask {
                defer { ended.set() }
                return await offer.end()
            }
            try await eventually("the offer to be withdrawn") { !offer.isOpen }
            #expect(!ended.isSet)
            // Withdrawn: a later transaction gets no places.
            #expect(offer.reserve() == 0)

            offer.settle(reserved: 2, claimed: jobs)
            let handed = try await group.next()
            #expect(handed?.map(\.lease) == jobs.map(\.lease))
        }
    }

    @Test func endReturnsAtOnceWhenNoTransactionHoldsPlaces() async {
        let offer = Self.offer(limit: 2)
        #expect(await offer.end().isEmpty)
        #expect(!offer.isOpen)
    }
}
