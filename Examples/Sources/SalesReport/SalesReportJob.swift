public import AsyncJobs
public import GRDB
import Logging

/// `sales.report`: the sales of one region from a SQLite database, as CSV, written in chunks with
/// progress. A sale whose amount is missing is skipped and counted as an item error, so the job
/// completes and SOAP clients see `finishedWithErrors`.
public struct SalesReportJob: Sendable {
    /// What a client submits.
    public struct Parameters: Decodable, Sendable {
        /// The region to report on.
        public var region: String
        /// Only sales of at least this amount, in cents.
        public var minimumCents: Int
        /// Rows per chunk written to the result (and per progress step).
        public var chunkSize: Int
    }

    /// The type name.
    public static let type = "sales.report"

    /// The declared parameters: listed by `GET /v1/job-types`, checked before the 202.
    public static let parameters = JobParameterSchema([
        JobParameter("region", .string, required: true, allowedValues: ["north", "south", "east", "west"], summary: "the region"),
        JobParameter("minimumCents", .integer, default: 0, range: 0...1_000_000_000, summary: "only sales of at least this amount"),
        JobParameter("chunkSize", .integer, default: 500, range: 1...10_000, summary: "rows per chunk"),
    ])

    let database: any DatabaseReader

    /// Creates the job over a database holding a `sales(id, region, amount_cents, sold_at)` table.
    public init(database: any DatabaseReader) {
        self.database = database
    }

    /// The handler to register.
    public var handler: JobHandler {
        JobHandler(
            type: Self.type,
            summary: "One region's sales as CSV",
            options: JobTypeOptions(maxAttempts: 3, timeout: .seconds(600), concurrencyLimit: 2),
            parameters: Self.parameters,
            decoding: Parameters.self,
            run: run
        )
    }

    func run(_ parameters: Parameters, _ context: JobContext) async throws -> JobOutcome {
        let total = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sales WHERE region = ?", arguments: [parameters.region]) ?? 0
        }
        context.logger.info("sales report started", metadata: ["region": "\(parameters.region)", "rows": "\(total)"])
        var skipped = 0
        try await context.writeResult(fileName: "sales-\(parameters.region).csv", contentType: "text/csv") { writer in
            try await writer.write("id,sold_at,amount_cents\n")
            var lastID: Int64 = 0
            var seen = 0
            while true {
                try Task.checkCancellation()
                // Keyset pagination: each chunk is one short read, so the writer never holds the database.
                let rows = try await database.read { db in
                    try Row.fetchAll(
                        db,
                        sql: "SELECT id, sold_at, amount_cents FROM sales WHERE region = ? AND id > ? ORDER BY id LIMIT ?",
                        arguments: [parameters.region, lastID, parameters.chunkSize]
                    )
                }
                guard let last = rows.last else { break }
                lastID = last["id"]
                var chunk = ""
                for row in rows {
                    guard let amount: Int = row["amount_cents"] else {
                        skipped += 1
                        continue
                    }
                    if amount >= parameters.minimumCents {
                        chunk += "\(row["id"] as Int64),\(row["sold_at"] as String),\(amount)\n"
                    }
                }
                try await writer.write(chunk)
                seen += rows.count
                context.reportProgress(total == 0 ? 100 : Double(seen) * 100 / Double(total))
            }
        }
        if skipped > 0 { context.logger.warning("sales without an amount were skipped", metadata: ["skipped": "\(skipped)"]) }
        return JobOutcome(itemErrors: skipped)
    }
}
