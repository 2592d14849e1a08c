import Foundation

/// A UTC timestamp at whole-second precision in the forms SigV4 uses.
///
/// Formatting goes through a fixed Gregorian/UTC `Calendar` rather than a
/// `DateFormatter`: it is a `Sendable` value, needs no locale, and cannot be
/// affected by a process-wide time-zone change.
struct AmzDate: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Truncates `date` to the second, as AWS SDKs do when stamping a request.
    init(_ date: Date) {
        let whole = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let parts = Self.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        year = parts.year ?? 1970
        month = parts.month ?? 1
        day = parts.day ?? 1
        hour = parts.hour ?? 0
        minute = parts.minute ?? 0
        second = parts.second ?? 0
    }

    /// Parses exactly `yyyyMMdd'T'HHmmss'Z'`, rejecting impossible dates.
    init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
              let date = Self.digits(bytes[0..<8]), let time = Self.digits(bytes[9..<15]) else {
            return nil
        }
        self.year = date / 10_000
        self.month = date / 100 % 100
        self.day = date % 100
        self.hour = time / 10_000
        self.minute = time / 100 % 100
        self.second = time % 100
        guard hour < 24, minute < 60, second < 60, Self.isValidDay(year: year, month: month, day: day) else {
            return nil
        }
    }

    /// Parses a credential-scope date, `yyyyMMdd`.
    static func isValidDateStamp(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, let value = digits(bytes[...]) else { return false }
        return isValidDay(year: value / 10_000, month: value / 100 % 100, day: value % 100)
    }

    var date: Date {
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // Components were validated on the way in, so the calendar cannot fail here.
        return Self.calendar.date(from: parts) ?? Date(timeIntervalSince1970: 0)
    }

    /// `20130524`, the credential-scope date.
    var dateStamp: String {
        pad(year, 4) + pad(month, 2) + pad(day, 2)
    }

    /// `20130524T000000Z`, the `X-Amz-Date` value.
    var basic: String {
        dateStamp + "T" + pad(hour, 2) + pad(minute, 2) + pad(second, 2) + "Z"
    }

    /// `2013-05-24T00:00:00Z`, the form S3 uses in error bodies.
    var iso8601: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func isValidDay(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let isLeap = (year.isMultiple(of: 4) && !year.isMultiple(of: 100)) || year.isMultiple(of: 400)
        let lengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
