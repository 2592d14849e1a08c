import AsyncJobs
public import Foundation

extension AsyncJobsClient {
    /// What the client talks to and how patiently.
    public struct Configuration: Sendable {
        /// The server's base URL, e.g. `http://127.0.0.1:8080`; needed to submit, list and fetch tokens.
        /// Status, cancel and download work from the URLs the server hands out.
        public var serverURL: URL?
        /// How requests are authenticated.
        public var credentials: Credentials
        /// Headers sent with every API request (not with downloads, whose URL is their credential).
        public var additionalHeaders: [String: String]
        /// The `Accept` header of API requests. `application/json` gets the extras (progress, ETA,
        /// error); the seed's `application/vnd.sciquest.com.ees+json` gets exactly the seed's fields.
        public var accept: String
        /// How status URLs are polled.
        public var polling: PollingPolicy
        /// How results are downloaded.
        public var download: DownloadPolicy
        /// How many times a submission is sent in all when the connection fails (same idempotency key).
        public var submitAttempts: Int
        /// How long a request may take until its response head arrives.
        public var requestTimeout: Duration

        /// Creates a configuration; every argument has a default.
        /// - Parameters:
        ///   - serverURL: The server's base URL.
        ///   - credentials: API key and OAuth client, or a ready bearer token.
        ///   - additionalHeaders: Headers for every API request.
        ///   - accept: The `Accept` media type.
        ///   - polling: Intervals and limits of polling.
        ///   - download: Retries of downloads.
        ///   - submitAttempts: Attempts of a submission on connection errors.
        ///   - requestTimeout: Time allowed until a response head.
        public init(
            serverURL: URL? = nil,
            credentials: Credentials = Credentials(),
            additionalHeaders: [String: String] = [:],
            accept: String = "application/json",
            polling: PollingPolicy = PollingPolicy(),
            download: DownloadPolicy = DownloadPolicy(),
            submitAttempts: Int = 4,
            requestTimeout: Duration = .seconds(60)
        ) {
            self.serverURL = serverURL
            self.credentials = credentials
            self.additionalHeaders = additionalHeaders
            self.accept = accept
            self.polling = polling
            self.download = download
            self.submitAttempts = submitAttempts
            self.requestTimeout = requestTimeout
        }
    }

    /// How API requests are authenticated: `X-API-Key`, plus `Authorization: Bearer` with a token
    /// fetched by the OAuth 2 client-credentials grant (or given as is).
    public struct Credentials: Sendable {
        /// Sent as `X-API-Key`.
        public var apiKey: String?
        /// The OAuth 2 client id.
        public var clientID: String?
        /// The OAuth 2 client secret.
        public var clientSecret: String?
        /// A bearer token obtained elsewhere; used as is when there is no client id and secret.
        public var bearerToken: String?
        /// Where tokens come from; default `<serverURL>/oauth2/token`, or the same origin as the request.
        public var tokenURL: URL?

        /// Creates credentials.
        public init(apiKey: String? = nil, clientID: String? = nil, clientSecret: String? = nil, bearerToken: String? = nil, tokenURL: URL? = nil) {
            self.apiKey = apiKey
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.bearerToken = bearerToken
            self.tokenURL = tokenURL
        }
    }
}

/// How a status URL is polled.
///
/// The wait before each poll starts at ``minimumInterval`` and grows by ``backoffFactor`` for every
/// answer that shows no change (same status, same progress), up to ``maximumInterval``; any change
/// starts again from the minimum. Each wait is spread by ±``jitter`` so that many clients do not poll
/// in step, kept within the two bounds, and never shorter than the server's latest `Retry-After`.
public struct PollingPolicy: Sendable {
    /// The shortest wait between polls.
    public var minimumInterval: Duration
    /// The longest wait the backoff reaches (a longer `Retry-After` still wins).
    public var maximumInterval: Duration
    /// How much the wait grows per unchanged answer.
    public var backoffFactor: Double
    /// The fraction, 0–1, by which each wait is randomly shortened or lengthened.
    public var jitter: Double
    /// How long to poll at most before giving up with ``AsyncJobsClientError/Code/timedOut``; `nil` for no limit.
    public var maximumDuration: Duration?
    /// How many polls in a row may fail (connection errors, 5xx, 429) before polling gives up.
    public var maximumConsecutiveErrors: Int

    /// Creates a policy; every argument has a default.
    public init(
        minimumInterval: Duration = .seconds(1),
        maximumInterval: Duration = .seconds(30),
        backoffFactor: Double = 1.5,
        jitter: Double = 0.2,
        maximumDuration: Duration? = .seconds(3600),
        maximumConsecutiveErrors: Int = 10
    ) {
        self.minimumInterval = minimumInterval
        self.maximumInterval = max(minimumInterval, maximumInterval)
        self.backoffFactor = max(1, backoffFactor)
        self.jitter = min(1, max(0, jitter))
        self.maximumDuration = maximumDuration
        self.maximumConsecutiveErrors = maximumConsecutiveErrors
    }

    /// The wait before the next poll.
    /// - Parameters:
    ///   - unchangedAnswers: How many answers in a row showed no change (0 after a change).
    ///   - retryAfter: The latest `Retry-After`, if the server sent one.
    ///   - random: A number in 0..<1 that picks the jitter.
    public func delay(unchangedAnswers: Int, retryAfter: Duration?, random: Double) -> Duration {
        let minimum = minimumInterval.seconds
        let maximum = maximumInterval.seconds
        let backoff = min(maximum, minimum * pow(backoffFactor, Double(min(unchangedAnswers, 64))))
        let spread = backoff * (1 + jitter * (2 * random - 1))
        let bounded = min(maximum, max(minimum, spread))
        return .seconds(max(bounded, retryAfter?.seconds ?? 0))
    }
}

/// How a result is downloaded.
public struct DownloadPolicy: Sendable {
    /// How many failed attempts in a row (connection errors, dropped connections, 5xx) are retried;
    /// any attempt that receives bytes resets the count.
    public var maximumRetries: Int
    /// The first wait after a failed attempt; it doubles up to ``maximumRetryDelay``.
    public var retryDelay: Duration
    /// The longest wait between attempts.
    public var maximumRetryDelay: Duration
    /// How many times a 404 (the seed's "not yet available") is retried.
    public var notFoundRetries: Int
    /// The wait after a 404; it grows linearly with each one.
    public var notFoundDelay: Duration

    /// Creates a policy; every argument has a default.
    public init(
        maximumRetries: Int = 8,
        retryDelay: Duration = .milliseconds(250),
        maximumRetryDelay: Duration = .seconds(5),
        notFoundRetries: Int = 3,
        notFoundDelay: Duration = .seconds(1)
    ) {
        self.maximumRetries = maximumRetries
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.notFoundRetries = notFoundRetries
        self.notFoundDelay = notFoundDelay
    }

    /// The wait after the `failures`th failed attempt in a row (1-based).
    func delay(afterFailures failures: Int) -> Duration {
        let seconds = retryDelay.seconds * pow(2, Double(min(max(0, failures - 1), 30)))
        return .seconds(min(maximumRetryDelay.seconds, seconds))
    }
}
