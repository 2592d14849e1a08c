import AsyncJobs
import ServiceLifecycle

extension JobQueue {
    /// A worker pool that polls once an hour, longer than any test waits, so that only a wake-up
    /// makes it claim or collect jobs; with a relay from `changeFeed` when one is given.
    func servicesPollingHourly(concurrency: Int = 2, leaseDuration: Duration = .seconds(30), changeFeed: (any JobChangeFeed)?) -> [any Service] {
        workerServices(
            pool: WorkerPoolConfiguration(concurrency: concurrency, leaseDuration: leaseDuration, pollInterval: .seconds(3_600)),
            retention: nil,
            changeFeed: changeFeed
        )
    }
}
