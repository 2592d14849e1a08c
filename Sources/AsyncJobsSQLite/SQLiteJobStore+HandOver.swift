public import AsyncJobs
import Foundation
import GRDB

extension SQLiteJobStore {
    /// What one submitting transaction claims for waiting offers (``WaitingClaim``), passed on once
    /// the transaction has ended.
    struct HandOver {
        private var claims: [(offer: WaitingClaim, reserved: Int, jobs: [ClaimedJob])] = []

        /// Inside the transaction, after its inserts: claims due jobs for each open offer whose types
        /// include one of `createdTypes`, the types of the jobs the transaction created.
        mutating func claim(forCreated createdTypes: Set<String>, offers: [WaitingClaim], _ db: Database) throws {
            var types = createdTypes
            let now = Date()
            for offer in offers where offer.types.contains(where: types.contains) {
                let reserved = offer.reserve()
                guard reserved > 0 else { continue }
                claims.append((offer, reserved, []))
                let jobs = try SQLiteJobStore.claimJobs(
                    ClaimRequest(workerID: offer.workerID, types: offer.types, limit: reserved, leaseExpiry: now.addingTimeInterval(offer.leaseDuration.seconds), now: now),
                    db
                )
                claims[claims.count - 1].jobs = jobs
                // Fewer than asked for: no due job of these types is left for a later offer.
                if jobs.count < reserved { types.subtract(offer.types) }
            }
        }

        /// After a failed claim, whose savepoint was rolled back: gives every place back, and the
        /// transaction commits its inserts with nothing handed over.
        mutating func abandon() {
            settle(committed: false)
            claims = []
        }

        /// Once the transaction has ended: gives each offer its jobs if it committed, or its places
        /// back if it did not.
        func settle(committed: Bool) {
            for claim in claims {
                claim.offer.settle(reserved: claim.reserved, claimed: committed ? claim.jobs : [])
            }
        }
    }

    /// The worker pools' offers that still stand, for tests that must wait for one.
    package var openWaitingClaimCount: Int { waitingClaims.openCount }

    public func handOffSubmissions(to offer: WaitingClaim) -> Bool {
        waitingClaims.add(offer)
        return true
    }
}
