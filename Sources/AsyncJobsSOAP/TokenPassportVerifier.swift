public import AsyncJobs
public import Foundation
import Crypto

/// Checks a ``TokenPassport``: algorithm, nonce and timestamp form, signature, and that the nonce was
/// not used before within the window.
///
/// Every credential failure becomes the same `INVALID_LOGIN_ATTEMPT` fault, so a client learns
/// nothing about which part was wrong; the reason goes to the server's log through
/// ``PassportRejection/reason``.
public struct TokenPassportVerifier: Sendable {
    /// The message of every credential failure.
    public static let invalidLoginMessage = "Invalid login attempt."

    let store: any PassportStore
    let sealer: PassportKeySealer
    /// How far the passport's timestamp may be from the server's clock, either way.
    public var window: Duration

    /// Creates a verifier.
    /// - Parameters:
    ///   - store: Where tokens and used nonces are kept.
    ///   - sealer: Opens the tokens' sealed HMAC keys.
    ///   - window: The accepted clock difference; a nonce is remembered for twice as long.
    public init(store: any PassportStore, sealer: PassportKeySealer, window: Duration = .seconds(300)) {
        self.store = store
        self.sealer = sealer
        self.window = window
    }

    /// Verifies `passport` and returns the token it was signed with.
    public func verify(_ passport: TokenPassport, now: Date = Date()) async throws(PassportRejection) -> PassportToken {
        switch passport.algorithm.uppercased().replacingOccurrences(of: "_", with: "-") {
        case "HMAC-SHA256":
            break
        case "HMAC-SHA1":
            throw PassportRejection(
                reason: "HMAC-SHA1 signature",
                fault: SOAPFault(.unsupportedAlgorithm, "The HMAC-SHA1 signature algorithm is no longer supported; sign with HMAC-SHA256.")
            )
        default:
            throw .invalidLogin("unknown signature algorithm '\(passport.algorithm)'")
        }
        guard (6...64).contains(passport.nonce.count), passport.nonce.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidLogin("nonce is not 6–64 letters and digits")
        }
        guard let seconds = Int64(passport.timestamp) else {
            throw .invalidLogin("timestamp is not a whole number of seconds")
        }
        let windowSeconds = window.seconds
        let sent = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard abs(sent.timeIntervalSince(now)) <= windowSeconds else {
            throw .invalidLogin("timestamp \(passport.timestamp) is outside the \(Int(windowSeconds)) s window")
        }
        let token: PassportToken?
        do {
            token = try await store.passportToken(id: passport.token)
        } catch {
            throw PassportRejection(reason: "token lookup failed: \(error)", fault: SOAPFault(.unexpectedError, "The request could not be authenticated; try again."))
        }
        guard let token, token.consumerKey == passport.consumerKey, token.account == passport.account else {
            throw .invalidLogin("unknown token, or consumer key or account does not match it")
        }
        let key: String
        do {
            key = try sealer.open(token.sealedKey)
        } catch {
            throw PassportRejection(reason: "cannot open the token's sealed key", fault: SOAPFault(.unexpectedError, "The request could not be authenticated."))
        }
        let expected = Data(TokenPassport.signature(of: passport.baseString, key: key).utf8)
        guard let sent = Data(base64Encoded: passport.signature), Self.constantTimeEqual(Data(sent.base64EncodedString().utf8), expected) else {
            throw .invalidLogin("signature does not match")
        }
        // Recorded only after the signature checked out, so nobody can burn another client's nonces.
        let fresh: Bool
        do {
            fresh = try await store.useNonce(passport.nonce, consumerKey: passport.consumerKey, expiresAt: now.addingTimeInterval(2 * windowSeconds), now: now)
        } catch {
            throw PassportRejection(reason: "nonce check failed: \(error)", fault: SOAPFault(.unexpectedError, "The request could not be authenticated; try again."))
        }
        guard fresh else { throw .invalidLogin("nonce was already used") }
        return token
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// Why a passport was refused: `reason` for the server's log, `fault` for the client.
public struct PassportRejection: Error, Sendable {
    /// What was wrong; never sent to the client.
    public var reason: String
    /// What the client is told.
    public var fault: SOAPFault

    /// Creates a rejection.
    public init(reason: String, fault: SOAPFault) {
        self.reason = reason
        self.fault = fault
    }

    static func invalidLogin(_ reason: String) -> PassportRejection {
        PassportRejection(reason: reason, fault: SOAPFault(.invalidLogin, TokenPassportVerifier.invalidLoginMessage))
    }
}
