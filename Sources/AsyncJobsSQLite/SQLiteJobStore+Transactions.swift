import GRDB

extension SQLiteJobStore {
    /// Runs `body` in a transaction and returns its value; rolls back when it throws.
    static func transaction<Value>(_ db: Database, _ body: () throws -> Value) throws -> Value {
        var value: Value?
        try db.inTransaction {
            value = try body()
            return .commit
        }
        // inTransaction either ran the closure to its end or threw.
        return value!
    }
}
