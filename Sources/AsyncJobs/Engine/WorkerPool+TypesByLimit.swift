extension WorkerPool {
    /// The registry's types, split by whether their handlers set a concurrency limit of their own.
    struct TypesByLimit: Sendable {
        /// Types claimed together, up to the pool's free places, and offered for hand-overs.
        var unlimited: [String] = []
        /// Types claimed one by one, each up to its own limit.
        var limited: [(type: String, limit: Int)] = []
    }

    static func splitByLimit(_ registry: JobRegistry) -> TypesByLimit {
        var split = TypesByLimit()
        for type in registry.types {
            if let limit = registry.handler(for: type)?.options.concurrencyLimit {
                split.limited.append((type, limit))
            } else {
                split.unlimited.append(type)
            }
        }
        return split
    }
}
