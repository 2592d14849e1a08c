public import Foundation
import Crypto

/// The `tokenPassport` SOAP header of NetSuite token-based authentication.
///
/// `signature = base64(HMAC-SHA256(key: consumerSecret & tokenSecret, message: account & consumerKey & token & nonce & timestamp))`.
///
/// ```swift
/// let passport = TokenPassport.signed(account: "ACME", consumerKey: ck, consumerSecret: cs, tokenID: t, tokenSecret: ts)
/// let header = passport.headerXML()
/// ```
public struct TokenPassport: Sendable, Hashable {
    /// The account id.
    public var account: String
    /// The integration's consumer key.
    public var consumerKey: String
    /// The token id.
    public var token: String
    /// A single-use random string of 6–64 letters and digits.
    public var nonce: String
    /// Seconds since 1970, as the client sent them.
    public var timestamp: String
    /// The base64 signature.
    public var signature: String
    /// The `algorithm` attribute of `signature`, e.g. `HMAC-SHA256` or `HMAC_SHA256`.
    public var algorithm: String

    /// Creates a passport from its parts.
    public init(account: String, consumerKey: String, token: String, nonce: String, timestamp: String, signature: String, algorithm: String) {
        self.account = account
        self.consumerKey = consumerKey
        self.token = token
        self.nonce = nonce
        self.timestamp = timestamp
        self.signature = signature
        self.algorithm = algorithm
    }

    /// Reads the passport from its header element, whatever namespaces and prefixes the client used.
    public init(element: SOAPElement) throws(SOAPFault) {
        func required(_ name: String) throws(SOAPFault) -> String {
            guard let value = element.value(of: name), !value.isEmpty else {
                throw SOAPFault(.invalidLogin, TokenPassportVerifier.invalidLoginMessage)
            }
            return value
        }
        account = try required("account")
        consumerKey = try required("consumerKey")
        token = try required("token")
        nonce = try required("nonce")
        timestamp = try required("timestamp")
        signature = try required("signature")
        algorithm = element.child("signature")?.attributes["algorithm"] ?? "HMAC-SHA256"
    }

    /// The string that is signed: `account&consumerKey&token&nonce&timestamp`.
    public var baseString: String {
        [account, consumerKey, token, nonce, timestamp].joined(separator: "&")
    }

    /// The base64 HMAC-SHA256 of ``baseString`` under `key` (`consumerSecret&tokenSecret`).
    public static func signature(of baseString: String, key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(baseString.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// A freshly signed passport with a random nonce and the current time, for clients.
    public static func signed(
        account: String,
        consumerKey: String,
        consumerSecret: String,
        tokenID: String,
        tokenSecret: String,
        now: Date = Date(),
        nonce: String = TokenPassport.randomNonce()
    ) -> TokenPassport {
        var passport = TokenPassport(
            account: account,
            consumerKey: consumerKey,
            token: tokenID,
            nonce: nonce,
            timestamp: String(Int64(now.timeIntervalSince1970)),
            signature: "",
            algorithm: "HMAC-SHA256"
        )
        passport.signature = signature(of: passport.baseString, key: consumerSecret + "&" + tokenSecret)
        return passport
    }

    /// A freshly signed passport for credentials printed by `asyncjobs tba create`.
    public static func signed(with credentials: PassportCredentials, now: Date = Date(), nonce: String = TokenPassport.randomNonce()) -> TokenPassport {
        signed(
            account: credentials.account,
            consumerKey: credentials.consumerKey,
            consumerSecret: credentials.consumerSecret,
            tokenID: credentials.tokenId,
            tokenSecret: credentials.tokenSecret,
            now: now,
            nonce: nonce
        )
    }

    /// A 32-character random nonce of letters and digits.
    public static func randomNonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// The header entry in the seed's form (no namespace, `xsi:type` hints), for clients; the
    /// enclosing envelope must declare the `xsi`, `xsd` and `platformCore` prefixes.
    public func headerXML() -> String {
        """
        <tokenPassport xsi:type='platformCore:TokenPassport'>\
        <account xsi:type='xsd:string'>\(XMLEscaping.text(account))</account>\
        <consumerKey xsi:type='xsd:string'>\(XMLEscaping.text(consumerKey))</consumerKey>\
        <token xsi:type='xsd:string'>\(XMLEscaping.text(token))</token>\
        <nonce xsi:type='xsd:string'>\(XMLEscaping.text(nonce))</nonce>\
        <timestamp xsi:type='xsd:long'>\(XMLEscaping.text(timestamp))</timestamp>\
        <signature algorithm='\(XMLEscaping.attribute(algorithm))' xsi:type='platformCore:TokenPassportSignature'>\(XMLEscaping.text(signature))</signature>\
        </tokenPassport>
        """
    }
}
