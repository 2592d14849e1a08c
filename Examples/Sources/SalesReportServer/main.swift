// An application that embeds AsyncJobs: the AsyncJobs routes and a route of its own on one
// Hummingbird router, and the job services in the application's own service group.
//
//   swift run --package-path Examples --scratch-path .build SalesReportServer   # from the repository root
//   (http://127.0.0.1:8081, or SALES_PORT; data in ./.sales-data, or SALES_DATA_DIR)
import AsyncJobs
import AsyncJobsSQLite
import AsyncJobsServer
import Foundation
import GRDB
import Hummingbird
import Logging
import SalesReport

let logger = Logger(label: "sales")
let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SALES_DATA_DIR"] ?? ".sales-data")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

// The application's own data, and the job that reads it.
let sales = try DatabasePool(path: directory.appendingPathComponent("sales.sqlite").path)
try await SalesDatabase.prepare(sales)
let registry = JobRegistry([SalesReportJob(database: sales).handler])

// The engine: jobs and tenants in SQLite, results in a directory, served on this application's port.
let store = try SQLiteJobStore(path: directory.appendingPathComponent("asyncjobs.sqlite").path)
let configuration = ServerConfiguration(port: Int(ProcessInfo.processInfo.environment["SALES_PORT"] ?? "") ?? 8081)
let components = try await ServerComponents.local(
    store: store,
    registry: registry,
    resultsDirectory: directory.appendingPathComponent("results"),
    configuration: configuration
)
if try await store.tenantCount() == 0 {
    let credentials = try await store.createTenant(named: "sales")
    logger.notice("created tenant 'sales'", metadata: ["apiKey": "\(credentials.apiKey)", "clientId": "\(credentials.clientId)", "clientSecret": "\(credentials.clientSecret)"])
}

// The AsyncJobs routes, plus one of the application's own on the same router.
let routes = buildRoutes(configuration: configuration, components: components)
routes.router.get("regions") { _, _ in "north,south,east,west\n" }

var app = Application(
    router: routes,
    configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
    logger: logger
)
// The worker pool, lease reaper and retention sweeper start and stop with the application.
app.addServices(components.workerServices(logger: logger))
try await app.runService()
