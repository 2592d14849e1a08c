public import Foundation
public import SigV4

/// Where an ``S3ResultStore`` keeps its objects and how it talks to the bucket.
///
/// ```swift
/// let configuration = try S3Configuration(
///     url: "s3://results/prod?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true",
///     environment: ProcessInfo.processInfo.environment
/// )
/// ```
public struct S3Configuration: Sendable {
    /// The bucket name.
    public var bucket: String
    /// Prepended, with a `/`, to every result key; empty for none.
    public var keyPrefix: String
    /// The service endpoint, such as `https://s3.eu-west-3.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: URL
    /// The signing region.
    public var region: String
    /// `true` for `endpoint/bucket/key` URLs, `false` for `bucket.endpoint/key` (virtual-hosted).
    public var pathStyle: Bool
    /// The credentials requests and download links are signed with.
    public var credentials: SigV4Credentials
    /// Bytes per multipart part, and the size from which a result is uploaded in parts (at least 5 MiB, S3's minimum part).
    public var partSize: Int
    /// Parts uploaded at once; with ``partSize`` it bounds the memory one upload uses.
    public var partConcurrency: Int
    /// Attempts per request when S3 answers 5xx or the connection fails.
    public var maxAttempts: Int
    /// Whether download links ask S3 to send `Content-Disposition: attachment; filename=…`.
    public var contentDisposition: Bool
    /// How long one attempt of one request (a part upload included) may take, connecting included:
    /// AsyncHTTPClient keeps retrying a refused connection until this deadline.
    public var requestTimeout: Duration

    /// The smallest part S3 accepts (except the last).
    public static let minimumPartSize = 5 * 1024 * 1024

    /// Creates a configuration; every argument but the bucket and credentials has a default.
    /// - Parameters:
    ///   - bucket: The bucket name.
    ///   - keyPrefix: A prefix for every key, without leading or trailing `/`.
    ///   - endpoint: The service endpoint; default AWS's regional endpoint.
    ///   - region: The signing region.
    ///   - pathStyle: Path-style addressing when `true`.
    ///   - credentials: The access key to sign with.
    ///   - partSize: Bytes per multipart part (at least 5 MiB).
    ///   - partConcurrency: Parts in flight at once.
    ///   - maxAttempts: Attempts per request on 5xx or connection errors.
    ///   - contentDisposition: Whether links carry `response-content-disposition`.
    ///   - requestTimeout: The deadline of one attempt of one request.
    public init(
        bucket: String,
        keyPrefix: String = "",
        endpoint: URL? = nil,
        region: String = "us-east-1",
        pathStyle: Bool = false,
        credentials: SigV4Credentials,
        partSize: Int = 8 * 1024 * 1024,
        partConcurrency: Int = 4,
        maxAttempts: Int = 4,
        contentDisposition: Bool = true,
        requestTimeout: Duration = .seconds(60)
    ) {
        self.bucket = bucket
        self.keyPrefix = keyPrefix
        self.endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        self.region = region
        self.pathStyle = pathStyle
        self.credentials = credentials
        self.partSize = max(Self.minimumPartSize, partSize)
        self.partConcurrency = max(1, partConcurrency)
        self.maxAttempts = max(1, maxAttempts)
        self.contentDisposition = contentDisposition
        self.requestTimeout = requestTimeout
    }

    /// Parses `s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true|false&part-size=MiB&part-concurrency=N&content-disposition=true|false&request-timeout=SECONDS]`,
    /// taking credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
    /// (and the region, when the URL has none, from `AWS_REGION` or `AWS_DEFAULT_REGION`).
    /// - Throws: ``S3Error`` with ``S3Error/Code/invalidConfiguration`` or ``S3Error/Code/missingCredentials``.
    public init(url text: String, environment: [String: String]) throws(S3Error) {
        guard text.hasPrefix("s3://"), let components = URLComponents(string: text), let bucket = components.host, !bucket.isEmpty else {
            throw S3Error(.invalidConfiguration, "expected s3://BUCKET[/PREFIX][?endpoint=…&region=…&path-style=true]")
        }
        guard Self.isValidBucketName(bucket) else {
            throw S3Error(.invalidConfiguration, "'\(bucket)' is not a valid bucket name")
        }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] {
            options[item.name] = item.value ?? ""
        }
        let known: Set<String> = ["endpoint", "region", "path-style", "part-size", "part-concurrency", "content-disposition", "request-timeout"]
        if let unknown = options.keys.sorted().first(where: { !known.contains($0) }) {
            throw S3Error(.invalidConfiguration, "unknown option '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
        let region = options["region"] ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        var endpoint: URL?
        if let value = options["endpoint"] {
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                  url.path.isEmpty || url.path == "/", url.query == nil else {
                throw S3Error(.invalidConfiguration, "endpoint must be an http(s) URL with no path, such as http://127.0.0.1:9000")
            }
            endpoint = url
        }
        func flag(_ name: String, default value: Bool) throws(S3Error) -> Bool {
            switch options[name] {
            case nil: return value
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            case let other?: throw S3Error(.invalidConfiguration, "\(name) must be true or false, not '\(other)'")
            }
        }
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws(S3Error) -> Int {
            guard let text = options[name] else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw S3Error(.invalidConfiguration, "\(name) must be a whole number in \(range.lowerBound)–\(range.upperBound)")
            }
            return number
        }
        guard let accessKey = environment["AWS_ACCESS_KEY_ID"], !accessKey.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw S3Error(.missingCredentials, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let prefix = components.path.split(separator: "/").joined(separator: "/")
        self.init(
            bucket: bucket,
            keyPrefix: prefix,
            endpoint: endpoint,
            region: region,
            pathStyle: try flag("path-style", default: false),
            credentials: SigV4Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: token),
            partSize: try number("part-size", default: 8, range: 5...5120) * 1024 * 1024,
            partConcurrency: try number("part-concurrency", default: 4, range: 1...64),
            contentDisposition: try flag("content-disposition", default: true),
            requestTimeout: .seconds(try number("request-timeout", default: 60, range: 1...3600))
        )
    }

    /// The location without credentials, for logs.
    public var redactedDescription: String {
        "s3://\(bucket)\(keyPrefix.isEmpty ? "" : "/" + keyPrefix) at \(endpoint.absoluteString) (\(region), \(pathStyle ? "path-style" : "virtual-hosted"), key \(credentials.accessKeyID))"
    }

    /// The full object key of a result key: the prefix, a `/`, the key.
    public func objectKey(_ key: String) -> String {
        keyPrefix.isEmpty ? key : keyPrefix + "/" + key
    }

    /// The URL of the object holding the result under `key` (with the prefix added).
    public func objectURL(key: String) -> URL {
        bucketURL(path: "/" + SigV4.encodeKeyPath(objectKey(key)))
    }

    /// The bucket's URL with `path` appended (empty for the bucket itself, else percent-encoded and
    /// starting with `/`).
    public func bucketURL(path: String, query: String? = nil) -> URL {
        var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)!
        if pathStyle {
            components.percentEncodedPath = "/" + bucket + path
        } else {
            components.host = bucket + "." + (components.host ?? "")
            components.percentEncodedPath = path.isEmpty ? "/" : path
        }
        components.percentEncodedQuery = query
        return components.url!
    }

    /// S3's rules for new buckets: 3–63 lower-case letters, digits, `.` and `-`, starting and ending alphanumeric.
    static func isValidBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count) else { return false }
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        let edges = [name.first!, name.last!].allSatisfy { $0.isLetter || $0.isNumber }
        return allowed && edges
    }
}
