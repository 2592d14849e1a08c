import AsyncJobs
import Synchronization

/// The offers of this process's idle worker pools (``WaitingClaim``) that a ``SQLiteJobStore``
/// fills from the transactions that submit jobs.
final class WaitingClaims: Sendable {
    private let offers = Mutex<[WaitingClaim]>([])

    func add(_ offer: WaitingClaim) {
        offers.withLock { offers in
            offers.removeAll { !$0.isOpen }
            offers.append(offer)
        }
    }

    var openCount: Int { open.count }

    /// The offers that still stand, oldest first.
    var open: [WaitingClaim] {
        offers.withLock { offers in
            offers.removeAll { !$0.isOpen }
            return offers
        }
    }
}
