import SigV4
import Testing

@Suite struct TrimmingTests {
    @Test(arguments: [
        ("", ""),
        ("   \t ", ""),
        ("abc", "abc"),
        (" \tBearer at1.x-y_z \t", "Bearer at1.x-y_z"),
        ("a \t b", "a \t b"),
        ("  été  ", "été"),
        ("\nkeep\r\n", "\nkeep\r\n"),
        ("\u{00A0}nbsp\u{00A0}", "\u{00A0}nbsp\u{00A0}"),
    ])
    func trimsOnlySpacesAndTabsAtTheEnds(input: String, expected: String) {
        #expect(input.trimmingSpacesAndTabs() == expected)
        #expect(("x" + input + "x").dropFirst().dropLast().trimmingSpacesAndTabs() == expected)
    }

    @Test func agreesWithTrimmingByCharacterOnRandomText() {
        let alphabet: [Character] = [" ", "\t", "a", "Z", "é", "\n", "€", "🙂", "-"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
            let reference = text.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
            #expect(text.trimmingSpacesAndTabs() == String(reference), "\(Array(text.unicodeScalars))")
        }
    }
}
