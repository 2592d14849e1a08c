/// Byte-wise equality whose running time depends only on the lengths.
///
/// Used for secrets that are not MACs (such as session tokens); signatures go
/// through swift-crypto's own constant-time MAC check instead.
enum ConstantTime {
    static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        // Lengths of tokens are not secret; an early exit on them reveals nothing.
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
