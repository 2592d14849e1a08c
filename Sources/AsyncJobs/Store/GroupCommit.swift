import Synchronization

/// Group commit: items that arrive while one batch is being written are written together in the
/// next batch, one transaction (and so one `fsync`) for all of them.
///
/// There is no background task and no timer. A caller that finds no batch in flight writes its own
/// item at once; callers arriving meanwhile queue up, and when the write ends the first of them
/// writes the whole queue as the next batch. A lone item waits for nothing, each caller writes at
/// most one batch, and under load the batch size grows by itself with the storage's latency. Every
/// caller returns only once the batch holding its item has been written, so batching amortises the
/// cost of a durable commit without weakening it.
package final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch and returns one output per item, in order.
    package typealias Write = @Sendable ([Item]) async throws -> [Output]

    private struct Waiting: Sendable {
        var item: Item
        var continuation: CheckedContinuation<Turn, any Error>
    }

    private enum Turn: Sendable {
        /// Another caller's batch carried the item; its output.
        case done(Output)
        /// This caller writes its item together with these.
        case write(others: [Waiting])
    }

    private struct State {
        var writing = false
        var waiting: [Waiting] = []
    }

    private let state = Mutex(State())
    private let write: Write

    /// Creates a group commit whose `write` stores a batch and returns, per item, its output.
    package init(write: @escaping Write) {
        self.write = write
    }

    /// Items queued behind the batch being written, for tests that need a batch to have formed.
    package var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Stores `item` in the next batch and returns its output once that batch is written.
    package func submit(_ item: Item) async throws -> Output {
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let writesNow = state.withLock { state -> Bool in
                if state.writing {
                    state.waiting.append(Waiting(item: item, continuation: continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if writesNow { continuation.resume(returning: .write(others: [])) }
        }
        switch turn {
        case .done(let output):
            return output
        case .write(let others):
            return try await writeBatch(own: item, others: others)
        }
    }

    private func writeBatch(own: Item, others: [Waiting]) async throws -> Output {
        let outcome: Result<[Output], any Error>
        do {
            outcome = .success(try await write([own] + others.map(\.item)))
        } catch {
            outcome = .failure(error)
        }
        for (index, waiting) in others.enumerated() {
            switch outcome {
            case .success(let outputs): waiting.continuation.resume(returning: .done(outputs[index + 1]))
            case .failure(let error): waiting.continuation.resume(throwing: error)
            }
        }
        let next = state.withLock { state -> [Waiting] in
            if state.waiting.isEmpty { state.writing = false }
            defer { state.waiting.removeAll() }
            return state.waiting
        }
        if let writer = next.first {
            writer.continuation.resume(returning: .write(others: Array(next.dropFirst())))
        }
        return try outcome.get()[0]
    }
}
