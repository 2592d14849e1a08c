import AsyncJobs
public import Foundation
public import NIOSSL
public import PostgresNIO

/// How to reach the PostgreSQL database that several AsyncJobs nodes share.
///
/// ```swift
/// var configuration = try PostgresStoreConfiguration(url: "postgres://jobs:secret@db.internal:5432/jobs?sslmode=require")
/// configuration.poolSize = 20
/// ```
public struct PostgresStoreConfiguration: Sendable {
    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database holding the AsyncJobs tables.
    public var database: String
    /// Whether and how to use TLS, from the URL's `sslmode`.
    public var tlsMode: TLSMode
    /// A PEM file of certificate authorities to trust instead of the system's (`sslrootcert`).
    public var rootCertificatePath: String?
    /// The most connections this node opens; one of them follows change notifications.
    public var poolSize: Int
    /// The longest any statement may run before the server cancels it; `nil` for the server's default.
    public var statementTimeout: Duration?
    /// How long to wait for a connection to be established.
    public var connectTimeout: Duration

    /// The URL's `sslmode`, with libpq's meanings.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never use TLS.
        case disable
        /// Use TLS when the server offers it, without verifying the certificate.
        case prefer
        /// Always use TLS, without verifying the certificate.
        case require
        /// Always use TLS and verify the certificate chain, not the host name.
        case verifyCA = "verify-ca"
        /// Always use TLS and verify the certificate chain and the host name.
        case verifyFull = "verify-full"
    }

    /// Parses a `postgres://` (or `postgresql://`) URL:
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE&sslrootcert=PATH`.
    ///
    /// User and password may be percent-encoded. Without `sslmode`, TLS is `prefer`, as in libpq.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw PostgresStoreError(.invalidURL, "the store URL must look like postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError(.invalidURL, "the store URL has no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw PostgresStoreError(.invalidURL, "the store URL has no user name")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.username : path
        self.tlsMode = .prefer
        self.poolSize = 10
        self.statementTimeout = .seconds(10)
        self.connectTimeout = .seconds(10)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresStoreError(.invalidURL, "sslmode must be one of \(modes)")
                }
                tlsMode = mode
            case "sslrootcert":
                rootCertificatePath = item.value
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else {
                    throw PostgresStoreError(.invalidURL, "connect_timeout must be a whole number of seconds")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw PostgresStoreError(.invalidURL, "the store URL has an unsupported parameter '\(item.name)'")
            }
        }
    }

    /// The URL without its password, for logs.
    public var redactedDescription: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }

    /// The postgres-nio client configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: try tls()
        )
        configuration.options.maximumConnections = max(2, poolSize)
        configuration.options.connectTimeout = connectTimeout
        var parameters = [("application_name", "asyncjobs")]
        if let statementTimeout {
            parameters.append(("statement_timeout", "\(statementTimeout.nanoseconds / 1_000_000)"))
        }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath {
            tls.trustRoots = .file(rootCertificatePath)
        }
        switch tlsMode {
        case .disable:
            return .disable
        case .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }
}
