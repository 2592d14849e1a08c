import Synchronization

/// Group commit: completions that arrive while one batch is being written are written together in
/// the next batch, one statement and one transaction for all of them.
///
/// There is no background task and no timer. A caller that finds no batch in flight writes its own
/// item at once; callers arriving meanwhile queue up, and when the write ends the first of them
/// writes the whole queue as the next batch. A lone completion waits for nothing, each caller writes
/// at most one batch, and under load the batch size grows by itself with the database's latency.
final class CompletionBatcher<Item: Sendable>: Sendable {
    typealias Write = @Sendable ([Item]) async throws -> [Bool]

    private struct Waiting: Sendable {
        var item: Item
        var continuation: CheckedContinuation<Turn, any Error>
    }

    private enum Turn: Sendable {
        /// Another caller's batch carried the item; whether it took effect.
        case done(Bool)
        /// This caller writes its item together with these.
        case write(others: [Waiting])
    }

    private struct State {
        var writing = false
        var waiting: [Waiting] = []
    }

    private let state = Mutex(State())
    private let write: Write

    /// Creates a batcher whose `write` stores a batch and says, per item, whether it took effect.
    init(write: @escaping Write) {
        self.write = write
    }

    /// Stores `item` in the next batch and returns whether it took effect.
    func submit(_ item: Item) async throws -> Bool {
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
        case .done(let tookEffect):
            return tookEffect
        case .write(let others):
            return try await writeBatch(own: item, others: others)
        }
    }

    private func writeBatch(own: Item, others: [Waiting]) async throws -> Bool {
        let outcome: Result<[Bool], any Error>
        do {
            outcome = .success(try await write([own] + others.map(\.item)))
        } catch {
            outcome = .failure(error)
        }
        for (index, waiting) in others.enumerated() {
            switch outcome {
            case .success(let tookEffect): waiting.continuation.resume(returning: .done(tookEffect[index + 1]))
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
