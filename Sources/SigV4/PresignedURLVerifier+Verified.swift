public import Foundation

extension PresignedURLVerifier {
    /// The facts established by a successful verification.
    public struct Verified: Sendable, Hashable {
        /// The access key ID the URL was signed with.
        public var accessKeyID: String
        /// The region of the credential scope.
        public var region: String
        /// The service of the credential scope.
        public var service: String
        /// `X-Amz-Date`, the moment the URL was signed.
        public var signedAt: Date
        /// `X-Amz-Expires`, the lifetime in seconds.
        public var expires: Int
        /// The lowercase header names the signature covers, sorted.
        public var signedHeaders: [String]

        /// The last moment at which the URL is still accepted.
        public var expiresAt: Date {
            signedAt.addingTimeInterval(TimeInterval(expires))
        }

        /// Whole seconds of validity left at `now`; never negative.
        public func secondsRemaining(at now: Date) -> Int {
            max(0, Int(expiresAt.timeIntervalSince(now).rounded(.down)))
        }
    }
}
