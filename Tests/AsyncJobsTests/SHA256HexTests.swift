import AsyncJobs
import Testing

@Suite struct SHA256HexTests {
    /// FIPS 180-2's examples, and every hex digit in order, so that a wrong digit table or nibble
    /// order shows.
    @Test func digestsAndHexMatchPublishedValues() {
        #expect(SHA256Hex.digest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.digest(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.hex([0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x00, 0xFF]) == "0123456789abcdef00ff")
    }
}
