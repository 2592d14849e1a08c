import ArgumentParser
import AsyncJobs
import AsyncJobsServer
import Foundation
import SigV4

/// The SigV4 credentials that sign download links; generated and kept in the store when not given.
struct SigningOptions: ParsableArguments {
    @Option(name: .customLong("signing-key-id"), help: "Access key id that signs result URLs (ASYNCJOBS_SIGNING_KEY_ID).")
    var keyIDOption: String?

    var keyID: String? { keyIDOption ?? Environment.string("ASYNCJOBS_SIGNING_KEY_ID") }

    @Option(name: .customLong("signing-secret"), help: "Secret access key that signs result URLs (ASYNCJOBS_SIGNING_SECRET); prefer the variable, flags show in ps.")
    var secretOption: String?

    var secret: String? { secretOption ?? Environment.string("ASYNCJOBS_SIGNING_SECRET") }

    @Option(name: .customLong("signing-region"), help: "Region in the signature's credential scope (ASYNCJOBS_SIGNING_REGION).")
    var region: String = Environment.string("ASYNCJOBS_SIGNING_REGION", default: "us-east-1")

    func validate() throws {
        if (keyID == nil) != (secret == nil) {
            throw ValidationError("--signing-key-id and --signing-secret go together")
        }
    }

    func signer(store: any TenantStore) async throws -> SigV4Signer {
        let credentials = try await ServerSecrets.signingCredentials(store: store, accessKeyID: keyID, secretAccessKey: secret)
        return SigV4Signer(credentials: credentials, region: region, service: "s3")
    }
}
