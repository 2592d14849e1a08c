import AsyncHTTPClient
import AsyncJobs
import Foundation
import NIOCore
import NIOHTTP1

/// A complete API response (bodies of API calls are small; downloads stream instead).
struct APIResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    /// `Retry-After`, as a duration from now.
    var retryAfter: Duration? { RetryAfter.parse(headers.first(name: "Retry-After")) }

    /// The error for an unexpected answer, with the problem details when the body has them.
    func error(_ context: String) -> AsyncJobsClientError {
        let problem = ProblemDetails(json: body)
        let summary = problem?.summary ?? HTTPResponseStatus(statusCode: status).reasonPhrase
        return AsyncJobsClientError(.httpError, "\(context): HTTP \(status): \(summary)", httpStatus: status, problem: problem)
    }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: body)
        } catch {
            throw AsyncJobsClientError(.invalidResponse, "the server's answer could not be read as \(type)", httpStatus: status, underlying: error)
        }
    }
}

extension AsyncJobsClient {
    /// Largest API response body read into memory.
    static let maximumAPIBody = 8 * 1024 * 1024

    /// Sends an authenticated API request and reads the whole answer. On a 401 the bearer token is
    /// renewed and the request sent once more.
    func send(_ method: HTTPMethod, _ url: URL, body: Data? = nil, headers extra: [String: String] = [:]) async throws -> APIResponse {
        var renewed = false
        while true {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = method
            request.headers.add(name: "Accept", value: configuration.accept)
            for (name, value) in configuration.additionalHeaders { request.headers.replaceOrAdd(name: name, value: value) }
            if let apiKey = configuration.credentials.apiKey { request.headers.replaceOrAdd(name: "X-API-Key", value: apiKey) }
            let token = try await bearerToken(for: url)
            if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
            for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await execute(request)
            if response.status == 401, !renewed, let token, configuration.credentials.canFetchTokens {
                await tokens.invalidate(token)
                renewed = true
                continue
            }
            return response
        }
    }

    /// Sends a request and reads the whole answer, turning connection failures into ``AsyncJobsClientError/Code/transport``.
    func execute(_ request: HTTPClientRequest) async throws -> APIResponse {
        do {
            let response = try await httpClient.execute(request, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds))
            let body = try await response.body.collect(upTo: Self.maximumAPIBody)
            return APIResponse(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
        } catch {
            throw Self.transportError(error, request.url)
        }
    }

    /// Wraps an error of the HTTP layer; cancellation stays cancellation.
    static func transportError(_ error: any Error, _ url: String) -> any Error {
        if error is CancellationError || error is AsyncJobsClientError { return error }
        if Task.isCancelled { return CancellationError() }
        let redacted = URL(string: url)?.redactedForLogs ?? "(url)"
        return AsyncJobsClientError(.transport, "the request to \(redacted) failed", underlying: error)
    }

    /// The bearer token to send: a configured one, or one from the token endpoint, renewed before it expires.
    func bearerToken(for url: URL) async throws -> String? {
        let credentials = configuration.credentials
        guard credentials.canFetchTokens, let clientID = credentials.clientID, let secret = credentials.clientSecret else {
            return credentials.bearerToken
        }
        if let token = await tokens.current() { return token }
        let tokenURL = try credentials.tokenURL ?? configuration.serverURL?.appendingPathComponent("oauth2/token") ?? Self.origin(of: url).appendingPathComponent("oauth2/token")
        var request = HTTPClientRequest(url: tokenURL.absoluteString)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(Self.formEncode(clientID)):\(Self.formEncode(secret))".utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let response = try await execute(request)
        guard response.status == 200 else { throw response.error("the token request to \(tokenURL.redactedForLogs) failed") }
        struct TokenResponse: Decodable {
            var access_token: String
            var expires_in: Double?
        }
        let token = try response.decode(TokenResponse.self)
        await tokens.store(token.access_token, lifetime: .seconds(token.expires_in ?? 300))
        return token.access_token
    }

    /// `scheme://host:port` of a URL.
    static func origin(of url: URL) throws -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true), components.host != nil else {
            throw AsyncJobsClientError(.configuration, "\(url.redactedForLogs) is not an absolute URL")
        }
        components.path = ""
        components.query = nil
        components.fragment = nil
        guard let origin = components.url else { throw AsyncJobsClientError(.configuration, "\(url.redactedForLogs) has no origin") }
        return origin
    }

    /// `application/x-www-form-urlencoded` encoding of a value, as RFC 6749 §2.3.1 asks for Basic credentials.
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension AsyncJobsClient.Credentials {
    /// Whether tokens come from the token endpoint (a client id and secret are configured).
    var canFetchTokens: Bool { clientID != nil && clientSecret != nil }
}

/// The current bearer token, shared by copies of a client. Renewed when a fifth of its lifetime (at
/// most a minute) is left, and dropped when the server refuses it.
actor AccessTokenCache {
    private var token: String?
    private var renewAt = ContinuousClock.now

    /// The token, unless there is none or it is due for renewal.
    func current() -> String? {
        guard let token, ContinuousClock.now < renewAt else { return nil }
        return token
    }

    /// Keeps a token that the server said lives for `lifetime`.
    func store(_ token: String, lifetime: Duration) {
        self.token = token
        renewAt = ContinuousClock.now.advanced(by: lifetime - min(.seconds(60), lifetime / 5))
    }

    /// Forgets `token` (after a 401), unless a newer one has replaced it meanwhile.
    func invalidate(_ token: String) {
        if self.token == token { self.token = nil }
    }
}

/// The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
enum RetryAfter {
    static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }
}
