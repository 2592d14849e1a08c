public import Logging
public import ServiceLifecycle

extension JobQueue {
    /// The services that run this node's jobs: the worker pool, the lease reaper, the retention
    /// sweeper (which also removes result writes abandoned by crashed nodes) and, with a change feed, the relay of the store's notifications. `asyncjobs serve`
    /// and `worker` run these; an application that embeds the engine adds them to its `ServiceGroup`.
    ///
    /// - Parameters:
    ///   - pool: Concurrency, lease, heartbeat and shutdown grace of the worker pool.
    ///   - retention: How long finished jobs stay readable; `nil` keeps them.
    ///   - resultRetention: How long results stay downloadable; `nil` keeps them as long as their job.
    ///   - changeFeed: The store's change notifications, if it has them.
    ///   - passports: The SOAP passport store, whose used nonces the sweeper forgets once expired.
    ///   - logger: The services' logger.
    public func workerServices(
        pool: WorkerPoolConfiguration = WorkerPoolConfiguration(),
        retention: Duration? = .seconds(30 * 86_400),
        resultRetention: Duration? = nil,
        changeFeed: (any JobChangeFeed)? = nil,
        passports: (any PassportStore)? = nil,
        logger: Logger = Logger(label: "asyncjobs")
    ) -> [any Service] {
        var services: [any Service] = []
        if let changeFeed {
            services.append(JobChangeRelay(queue: self, feed: changeFeed, logger: logger))
        }
        services.append(WorkerPool(queue: self, configuration: pool, logger: logger))
        // Several sweeps per lease, so a lapsed job waits little past its lease.
        services.append(LeaseReaper(queue: self, interval: .seconds(max(1, pool.leaseDuration.seconds / 4)), logger: logger))
        // Once a minute, or more often for a short result retention so a result outlives it by little.
        let interval = Duration.seconds(max(1, min(60, (resultRetention?.seconds ?? 3600) / 4)))
        services.append(
            RetentionSweeper(
                queue: self,
                retention: retention,
                resultRetention: resultRetention,
                passports: passports,
                interval: interval,
                logger: logger
            )
        )
        return services
    }
}
