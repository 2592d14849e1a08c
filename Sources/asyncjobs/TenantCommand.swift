import ArgumentParser
import AsyncJobs
import Foundation

/// `asyncjobs tenant …`: tenant administration.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage tenants.",
        subcommands: [Create.self]
    )

    /// `asyncjobs tenant create NAME`: prints the new tenant's credentials, the only time they are shown.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant and print {tenant, apiKey, clientId, clientSecret} as JSON; only hashes are stored.",
            discussion: "Works while the server is running on the same data dir or --store."
        )

        @Argument(help: "The tenant's name: 1–64 of a-z A-Z 0-9 - _ .")
        var name: String

        @OptionGroup var store: StoreOptions

        @OptionGroup var log: LogOptions

        func run() async throws {
            let logger = try log.bootstrap()
            try await store.withStore(logger: logger) { opened in
                do {
                    let credentials = try await opened.store.createTenant(named: name)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(credentials), as: UTF8.self))
                } catch let error as JobError where error.code == .tenantExists || error.code == .invalidParameters {
                    throw ValidationError(error.message)
                }
            }
        }
    }
}
