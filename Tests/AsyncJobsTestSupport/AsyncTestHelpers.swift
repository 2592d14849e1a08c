public import ServiceLifecycle
import Foundation
import Logging

/// A condition did not become true in time.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Re-checks `condition` until it holds, failing after `timeout`. For waiting on an outcome
/// that another task produces (a job finishing), not for letting time pass.
///
/// The timeout only catches a hang; it is no claim about speed. `swift test` starts every test at
/// once, and on two busy cores a job that needs three turns of a worker pool has been seen to take
/// over ten seconds, so the default is a minute.
public func eventually(
    timeout: Duration = .seconds(60),
    _ message: @autoclosure () -> String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    if try await condition() { return }
    throw TimedOut(description: "timed out after \(timeout) waiting for \(message())")
}

/// Runs `services` in a service group while `body` runs, then shuts them down gracefully and waits
/// for them to finish.
public func withRunningServices<Value: Sendable>(
    _ services: [any Service],
    _ body: @Sendable () async throws -> Value
) async throws -> Value {
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [], logger: Logger(label: "test.services"))
    )
    return try await withThrowingTaskGroup(of: Value?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        let value: Value
        do {
            value = try await body()
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return value
    }
}
