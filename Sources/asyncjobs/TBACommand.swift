import ArgumentParser
import AsyncJobs
import AsyncJobsSOAP
import AsyncJobsServer
import Foundation

/// `asyncjobs tba …`: token-based-authentication credentials for the SOAP face.
struct TBACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tba",
        abstract: "Manage token-based-authentication credentials for the SOAP endpoint.",
        subcommands: [Create.self]
    )

    /// `asyncjobs tba create --tenant NAME`: prints the credentials, the only time they are shown.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a tenant and print {account, consumerKey, consumerSecret, tokenId, tokenSecret} as JSON.",
            discussion: "The secrets are stored only sealed (AES-GCM under a key in the store's secret table) and are never shown again. Works while the server runs."
        )

        @Option(help: "The tenant the token acts for.")
        var tenant: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var log: LogOptions

        func run() async throws {
            let logger = try log.bootstrap()
            try await store.withStore(logger: logger) { opened in
                guard let tenant = try await opened.store.tenant(named: tenant) else {
                    throw ValidationError("no tenant named '\(self.tenant)'; create it with `asyncjobs tenant create \(self.tenant)`")
                }
                let sealer = try await ServerSecrets.passportSealer(store: opened.store)
                let (credentials, token) = try PassportCredentials.generate(for: tenant, sealer: sealer)
                try await opened.store.createPassportToken(token)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(credentials), as: UTF8.self))
            }
        }
    }
}
