import ArgumentParser
import AsyncJobsClient
import Foundation

/// Where the server is and who the client is: flags, then `ASYNCJOBS_*` variables, then the
/// `dev-credentials.json` that `serve` writes in its data directory.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "The server's base URL (ASYNCJOBS_URL); default http://127.0.0.1:8080, or the origin of a status URL given as argument.")
    var urlOption: String?

    @Option(name: .customLong("api-key"), help: "API key, sent as X-API-Key (ASYNCJOBS_API_KEY).")
    var apiKeyOption: String?

    @Option(name: .customLong("client-id"), help: "OAuth client id for bearer tokens (ASYNCJOBS_CLIENT_ID).")
    var clientIDOption: String?

    @Option(name: .customLong("client-secret"), help: "OAuth client secret (ASYNCJOBS_CLIENT_SECRET); prefer the variable, flags show in ps.")
    var clientSecretOption: String?

    @Option(
        name: .customLong("data-dir"),
        help: "When no credentials are given, they are read from DIR/dev-credentials.json, written by `asyncjobs serve` (ASYNCJOBS_DATA_DIR)."
    )
    var dataDirectory: String = Environment.string("ASYNCJOBS_DATA_DIR", default: "./.asyncjobs")

    static let defaultServerURL = "http://127.0.0.1:8080"

    /// The explicitly configured server URL, if any.
    func explicitServerURL() throws -> URL? {
        guard let text = urlOption ?? Environment.string("ASYNCJOBS_URL") else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--url must be an absolute http(s) URL, not '\(text)'")
        }
        return url
    }

    /// The credentials from flags and variables, or else from the dev credentials file.
    func credentials() throws -> AsyncJobsClient.Credentials {
        let apiKey = apiKeyOption ?? Environment.string("ASYNCJOBS_API_KEY")
        let clientID = clientIDOption ?? Environment.string("ASYNCJOBS_CLIENT_ID")
        let clientSecret = clientSecretOption ?? Environment.string("ASYNCJOBS_CLIENT_SECRET")
        if apiKey != nil || clientID != nil || clientSecret != nil {
            guard (clientID == nil) == (clientSecret == nil) else {
                throw ValidationError("--client-id and --client-secret go together")
            }
            return .init(apiKey: apiKey, clientID: clientID, clientSecret: clientSecret)
        }
        let file = URL(fileURLWithPath: dataDirectory).appendingPathComponent("dev-credentials.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return .init() }
        struct DevCredentials: Decodable {
            var apiKey: String
            var clientId: String
            var clientSecret: String
        }
        guard let dev = try? JSONDecoder().decode(DevCredentials.self, from: data) else {
            throw ValidationError("\(file.path) is not a credentials file of `asyncjobs serve`")
        }
        return .init(apiKey: dev.apiKey, clientID: dev.clientId, clientSecret: dev.clientSecret)
    }

    /// A client for the configured server.
    func client(serverURL: URL? = nil, polling: PollingPolicy = PollingPolicy()) throws -> AsyncJobsClient {
        let server = try serverURL ?? explicitServerURL() ?? URL(string: Self.defaultServerURL)!
        return AsyncJobsClient(configuration: .init(serverURL: server, credentials: try credentials(), polling: polling))
    }

    /// A client and the status URL for a command's `URL-or-ID` argument. A status URL names its own
    /// server unless `--url` or `ASYNCJOBS_URL` says otherwise; a job id needs the server URL.
    func client(forJob reference: String, polling: PollingPolicy = PollingPolicy()) throws -> (AsyncJobsClient, URL) {
        if reference.contains("://") {
            guard let statusURL = URL(string: reference), let host = statusURL.host, let scheme = statusURL.scheme else {
                throw ValidationError("'\(reference)' is not a valid URL")
            }
            let origin = URL(string: "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(statusURL.port.map { ":\($0)" } ?? "")")!
            return (try client(serverURL: try explicitServerURL() ?? origin, polling: polling), statusURL)
        }
        let client = try client(polling: polling)
        return (client, try client.statusURL(forJobID: reference))
    }
}

/// The job a command acts on, and how to reach its server.
struct JobTarget: ParsableArguments {
    @Argument(help: "The job's status URL (as printed by submit), or its id.")
    var job: String

    @OptionGroup var client: ClientOptions

    /// A client and the job's status URL.
    func resolve(polling: PollingPolicy = PollingPolicy()) throws -> (AsyncJobsClient, URL) {
        try client.client(forJob: job, polling: polling)
    }
}
