public import Logging
public import ServiceLifecycle

/// Follows a store's ``JobChangeFeed`` and applies it to this node's ``JobQueue``: wakes the worker
/// pool when jobs are queued anywhere and stops a local handler whose job was cancelled elsewhere.
///
/// When the feed fails (for example the database restarted) the relay wakes the workers once, since
/// changes may have been missed, and follows again after a pause.
public struct JobChangeRelay: Service {
    let queue: JobQueue
    let feed: any JobChangeFeed
    let retryDelay: Duration
    let logger: Logger

    /// Creates a relay.
    /// - Parameters:
    ///   - queue: The queue whose workers and running handlers to notify.
    ///   - feed: The store's change feed.
    ///   - retryDelay: The pause before following again after the feed failed.
    ///   - logger: Where feed failures are logged.
    public init(queue: JobQueue, feed: any JobChangeFeed, retryDelay: Duration = .seconds(1), logger: Logger = Logger(label: "asyncjobs.changes")) {
        self.queue = queue
        self.feed = feed
        self.retryDelay = retryDelay
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await feed.followChanges { change in apply(change) }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("job change feed interrupted; following again", metadata: ["error": "\(error)"])
                }
                queue.wakeup.signal()
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    func apply(_ change: JobChange) {
        switch change {
        case .jobsQueued: queue.wakeup.signal()
        case .cancelled(let id): queue.running.cancel(id)
        }
    }
}
