/// The conversions every module needs when a `Duration` meets a clock-less API (`TimeInterval`,
/// NIO's `TimeAmount`, header values in whole seconds).
extension Duration {
    /// The duration as fractional seconds.
    package var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds.
    package var nanoseconds: Int64 {
        let (whole, attoseconds) = components
        return whole * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration in whole seconds, a started second counting as one (for `Retry-After` and clocks).
    package var wholeSecondsRoundedUp: Int {
        let (whole, attoseconds) = components
        return Int(whole) + (attoseconds > 0 ? 1 : 0)
    }
}
