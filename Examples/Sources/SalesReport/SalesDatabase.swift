public import GRDB

/// The example's sales database: the schema and some generated rows.
public enum SalesDatabase {
    /// Creates the `sales` table if needed and, when it is empty, fills it with `rows` sales spread
    /// over four regions; every 97th sale has no amount.
    public static func prepare(_ writer: any DatabaseWriter, rows: Int = 10_000) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS sales (
                  id INTEGER PRIMARY KEY,
                  region TEXT NOT NULL,
                  amount_cents INTEGER,
                  sold_at TEXT NOT NULL
                )
                """)
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sales") == 0 else { return }
            let regions = ["north", "south", "east", "west"]
            let insert = try db.makeStatement(sql: "INSERT INTO sales (id, region, amount_cents, sold_at) VALUES (?, ?, ?, ?)")
            for id in 1...max(1, rows) {
                let amount: Int? = id % 97 == 0 ? nil : (id * 7919) % 100_000
                let day = 1 + id % 28
                try insert.execute(arguments: [id, regions[id % 4], amount, "2026-02-\(day < 10 ? "0" : "")\(day)"])
            }
        }
    }
}
