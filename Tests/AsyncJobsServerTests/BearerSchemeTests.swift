@testable import AsyncJobsServer
import Testing

@Suite struct BearerSchemeTests {
    @Test(arguments: [
        ("Bearer at1.abc", true),
        ("bearer at1.abc", true),
        ("BEARER x", true),
        ("bEaReR x", true),
        ("Bearer ", false),  // a scheme with no token
        ("Bearer", false),
        ("", false),
        ("Basic YTpi", false),
        ("Bearer\tx", false),
        ("Bearerx abc", false),
        ("Bearér x", false),
        (" Bearer x", false),
    ])
    func acceptsTheBearerSchemeInAnyCaseFollowedByAToken(value: String, accepted: Bool) {
        #expect(APIAuthenticator.hasBearerScheme(value) == accepted)
    }
}
