import Synchronization

/// Remembers credentials that verified, each until its own deadline, so that a client polling many
/// times a second does not pay for the same verification on every request: a store read for an API
/// key, base64 decoding, a MAC check and a JSON decode for a bearer token.
///
/// Only successful verifications are kept, so a bad credential is checked in full every time. When
/// full, the cache starts over rather than tracking recency: the common case is a few credentials
/// polled often.
final class CredentialCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: (value: Value, until: ContinuousClock.Instant)]>([:])
    private let capacity: Int

    /// Creates an empty cache holding at most `capacity` credentials.
    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The value remembered for `key`, or `nil` when there is none or its deadline has passed.
    func value(forKey key: String, now: ContinuousClock.Instant = .now) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.until > now else {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Remembers `value` for `key` until `until`.
    func store(_ value: Value, forKey key: String, until: ContinuousClock.Instant) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, until)
        }
    }
}
