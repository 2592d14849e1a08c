import Crypto
import Synchronization

/// Remembers derived signing keys so that repeated signing and verification
/// cost one HMAC per request instead of five.
///
/// Keys are scoped by secret, date, region and service, so a rotated secret
/// or a new UTC day simply misses and derives afresh.
final class SigningKeyCache: Sendable {
    struct Scope: Hashable, Sendable {
        var secretAccessKey: String
        var dateStamp: String
        var region: String
        var service: String
    }

    private let entries = Mutex<[Scope: SymmetricKey]>([:])
    private let capacity: Int

    init(capacity: Int = 32) {
        self.capacity = max(1, capacity)
    }

    func key(for scope: Scope) -> SymmetricKey {
        if let cached = entries.withLock({ $0[scope] }) {
            return cached
        }
        // Derive outside the lock; two threads racing on a fresh day both
        // compute the same key, which is cheaper than serialising everyone.
        let key = SigV4.deriveSigningKey(
            secretAccessKey: scope.secretAccessKey,
            dateStamp: scope.dateStamp,
            region: scope.region,
            service: scope.service
        )
        entries.withLock { entries in
            // Wholesale eviction is crude but bounded; a full cache means many
            // distinct keys or days, and re-deriving is only four HMACs each.
            if entries.count >= capacity {
                entries.removeAll(keepingCapacity: true)
            }
            entries[scope] = key
        }
        return key
    }

    var count: Int {
        entries.withLock { $0.count }
    }
}
