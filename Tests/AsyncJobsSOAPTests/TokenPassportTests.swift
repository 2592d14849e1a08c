import AsyncJobs
import AsyncJobsSOAP
import Crypto
import Foundation
import Testing

@Suite struct TokenPassportTests {
    /// Oracle's worked example ("Creating the Token Password", NetSuite Help).
    @Test func oraclesWorkedExample() {
        let passport = TokenPassport(
            account: "1234567",
            consumerKey: "71cc02b731f05895561ef0862d71553a3ac99498a947c3b7beaf4a1e4a29f7c4",
            token: "89e08d9767c5ac85b374415725567d05b54ecf0960ad2470894a52f741020d82",
            nonce: "6obMKq0tmY8ylVOdEkA1",
            timestamp: "1439829974",
            signature: "",
            algorithm: "HMAC-SHA256"
        )
        #expect(
            passport.baseString
                == "1234567&71cc02b731f05895561ef0862d71553a3ac99498a947c3b7beaf4a1e4a29f7c4&89e08d9767c5ac85b374415725567d05b54ecf0960ad2470894a52f741020d82&6obMKq0tmY8ylVOdEkA1&1439829974"
        )
        let key = "7278da58caf07f5c336301a601203d10a58e948efa280f0618e25fcee1ef2abd&060cd9ab3ffbbe1e3d3918e90165ffd37ab12acc76b4691046e2d29c7d7674c2"
        #expect(TokenPassport.signature(of: passport.baseString, key: key) == "FCghIZqXNetuZY8ILWOFH0ucdfzQOmAuL+q+kF21zPs=")
    }

    @Test func aSignedPassportMatchesTheFormulaComputedHere() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let passport = TokenPassport.signed(account: "ACME", consumerKey: "ck", consumerSecret: "cs", tokenID: "tok", tokenSecret: "ts", now: now, nonce: "abcdef123")
        let message = "ACME&ck&tok&abcdef123&1800000000"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data("cs&ts".utf8)))
        #expect(passport.signature == Data(mac).base64EncodedString())
        #expect(passport.timestamp == "1800000000")
    }

    @Test func theHeaderItWritesReadsBack() throws {
        let passport = TokenPassport.signed(account: "A&B", consumerKey: "ck", consumerSecret: "cs", tokenID: "tok", tokenSecret: "ts")
        let document = """
            <h xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
            xmlns:platformCore="urn:core_2021_2.platform.webservices.netsuite.com">\(passport.headerXML())</h>
            """
        let element = try #require(try SOAPParser().parse(Data(document.utf8)).child("tokenPassport"))
        #expect(try TokenPassport(element: element) == passport)
    }

    @Test func sealedKeysOpenOnlyUnderTheirKey() throws {
        let sealer = try PassportKeySealer(base64Key: PassportKeySealer.generateKey())
        let sealed = try sealer.seal("consumer&token")
        #expect(!sealed.contains("consumer"), "nothing of the secret shows in what is stored")
        #expect(try sealer.open(sealed) == "consumer&token")
        let other = try PassportKeySealer(base64Key: PassportKeySealer.generateKey())
        #expect(throws: (any Error).self) { try other.open(sealed) }
    }
}

@Suite struct TokenPassportVerifierTests {
    @Test func aValidPassportNamesItsTenant() async throws {
        let fixture = try await SOAPFixture()
        let token = try await fixture.verifier.verify(fixture.passport())
        #expect(token.tenantID == fixture.tenant.id)
    }

    @Test func theSeedsAlgorithmSpellingIsAccepted() async throws {
        let fixture = try await SOAPFixture()
        var passport = fixture.passport()
        passport.algorithm = "HMAC_SHA256"
        #expect(try await fixture.verifier.verify(passport).tenantID == fixture.tenant.id)
    }

    @Test func hmacSHA1IsRefusedWithAClearFault() async throws {
        let fixture = try await SOAPFixture()
        var passport = fixture.passport()
        passport.algorithm = "HMAC-SHA1"
        await #expect { try await fixture.verifier.verify(passport) } throws: { error in
            let fault = (error as? PassportRejection)?.fault
            return fault?.code == .unsupportedAlgorithm && fault?.message.contains("HMAC-SHA256") == true
        }
    }

    /// Every credential failure gets the same fault, so a client cannot tell which part was wrong.
    @Test(arguments: ["signature", "token", "consumerKey", "account", "timestamp-old", "timestamp-future", "nonce-short", "nonce-symbols", "replay"])
    func failuresAreIndistinguishable(_ tamper: String) async throws {
        let fixture = try await SOAPFixture()
        let verifier = fixture.verifier
        let now = Date()
        var passport = fixture.passport(now: now)
        switch tamper {
        case "signature": passport.signature = String(passport.signature.reversed())
        // Replace the first character with one it is not, or the "tampered" value is the original 1 time in 16.
        case "token": passport.token = (passport.token.hasPrefix("0") ? "1" : "0") + passport.token.dropFirst()
        case "consumerKey": passport.consumerKey = (passport.consumerKey.hasPrefix("0") ? "1" : "0") + passport.consumerKey.dropFirst()
        case "account": passport.account = "other"
        case "timestamp-old": passport = fixture.passport(now: now - 600)
        case "timestamp-future": passport = fixture.passport(now: now + 600)
        case "nonce-short": passport = fixture.passport(now: now, nonce: "abc12")
        case "nonce-symbols": passport = fixture.passport(now: now, nonce: "abc-123_xyz")
        default: _ = try await verifier.verify(passport, now: now)
        }
        await #expect { try await verifier.verify(passport, now: now) } throws: { error in
            (error as? PassportRejection)?.fault == SOAPFault(.invalidLogin, "Invalid login attempt.")
        }
    }

    @Test func aRefusedPassportDoesNotUseUpItsNonce() async throws {
        let fixture = try await SOAPFixture()
        let verifier = fixture.verifier
        let good = fixture.passport(nonce: "sharedNonce42")
        var forged = good
        forged.signature = String(good.signature.reversed())
        await #expect(throws: PassportRejection.self) { try await verifier.verify(forged) }
        #expect(try await verifier.verify(good).tenantID == fixture.tenant.id)
    }
}
