@testable import AsyncJobsClient
import AsyncJobs
import Foundation
import Testing

@Suite struct PollingPolicyTests {
    let policy = PollingPolicy(minimumInterval: .seconds(1), maximumInterval: .seconds(10), backoffFactor: 2, jitter: 0.2)

    @Test(arguments: [
        (0, 0.5, 1.0),  // the minimum
        (0, 0.0, 1.0),  // jitter below the minimum is clamped up
        (3, 0.5, 8.0),  // 1 s × 2³
        (3, 0.0, 6.4),  // −20 %
        (3, 1.0, 9.6),  // +20 %
        (10, 1.0, 10.0),  // capped at the maximum
    ])
    func backoffGrowsWithUnchangedAnswersWithinTheBounds(unchanged: Int, random: Double, seconds: Double) {
        let delay = policy.delay(unchangedAnswers: unchanged, retryAfter: nil, random: random)
        #expect(abs(delay.seconds - seconds) < 1e-9, "\(delay)")
    }

    @Test func retryAfterIsAFloorEvenAboveTheMaximum() {
        #expect(policy.delay(unchangedAnswers: 0, retryAfter: .seconds(30), random: 0.5) == .seconds(30))
        #expect(policy.delay(unchangedAnswers: 3, retryAfter: .seconds(2), random: 0.5) == .seconds(8))
    }

    @Test func retryAfterTakesSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_784_000_000)
        #expect(RetryAfter.parse("5", now: now) == .seconds(5))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("-1", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryAfter.parse(formatter.string(from: now.addingTimeInterval(42)), now: now) == .seconds(42))
    }

    @Test func etagsThatCarryAChecksum() {
        #expect(ETagChecksum("\"\(String(repeating: "ab", count: 32))\"")?.algorithm == .sha256)
        #expect(ETagChecksum("\"9b2cf535f27731c974343645a3985328\"")?.algorithm == .md5)
        #expect(ETagChecksum("W/\"9b2cf535f27731c974343645a3985328\"") == nil, "weak")
        #expect(ETagChecksum("\"9b2cf535f27731c974343645a3985328-3\"") == nil, "S3 multipart")
        #expect(ETagChecksum("\"v1\"") == nil)
    }

    @Test func contentRanges() {
        #expect(ContentRange("bytes 100-199/1000") == ContentRange(start: 100, end: 199, total: 1000))
        #expect(ContentRange("bytes 0-9/*")?.total == nil)
        #expect(ContentRange("bytes */1000") == nil)
        #expect(ContentRange("items 0-9/10") == nil)
    }
}
