import ServiceLifecycle

/// Runs `body`, then waits `interval`, again and again until the task is cancelled or a graceful
/// shutdown begins: the loop of every periodic service (the lease reaper, the retention sweeper).
func repeatUntilShutdown(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: interval)
        }
    }
}
