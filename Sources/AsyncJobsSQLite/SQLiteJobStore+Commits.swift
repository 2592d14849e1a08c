import GRDB

extension SQLiteJobStore {
    /// Runs `body` with `synchronous = NORMAL`: what it commits reaches the write-ahead log, and is
    /// visible to the next transaction, without waiting for the disk. `synchronous = FULL` is
    /// restored for the connection's other writes, also when `body` throws.
    static func withoutWaitingForDisk<Value>(_ db: Database, _ body: () throws -> Value) throws -> Value {
        try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
        let result = Result(catching: body)
        try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
        return try result.get()
    }

    /// Runs `body` in a transaction that commits without waiting for the disk, and returns its
    /// value; rolls back when it throws. The caller waits for a sync of the log before it reports
    /// the write durable.
    static func commitWithoutWaitingForDisk<Value>(_ db: Database, _ body: () throws -> Value) throws -> Value {
        try withoutWaitingForDisk(db) {
            var value: Value?
            try db.inTransaction {
                value = try body()
                return .commit
            }
            // inTransaction either ran the closure to its end or threw.
            return value!
        }
    }
}
