import AsyncJobs
import Synchronization

/// A store that counts the claims that have returned and remembers the jobs they claimed.
final class ClaimCounting: JobStoreDecorator {
    let base: any JobStore
    let returned = Tally()
    private let claimed = Mutex<[JobID]>([])
    private let refusesOffers: Bool

    /// The jobs claimed so far, in the order the claims returned.
    var claimedIDs: [JobID] { claimed.withLock { $0 } }

    /// Counts the claims on `base`; with `refusingOffers`, idle pools' offers are refused, so that
    /// every job goes through a claim.
    init(_ base: any JobStore, refusingOffers: Bool = false) {
        self.base = base
        self.refusesOffers = refusingOffers
    }

    func handOffSubmissions(to offer: WaitingClaim) -> Bool {
        refusesOffers ? false : base.handOffSubmissions(to: offer)
    }

    func claim(_ request: ClaimRequest) async throws -> [ClaimedJob] {
        defer { returned.add() }
        let jobs = try await base.claim(request)
        claimed.withLock { $0 += jobs.map(\.job.id) }
        return jobs
    }
}
