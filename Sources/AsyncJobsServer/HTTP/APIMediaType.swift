import Foundation
import SigV4

/// The JSON media types the API speaks.
public enum APIMediaType: String, Sendable {
    /// `application/json`: responses carry the extra fields (job id, progress, estimate, error).
    case json = "application/json"
    /// The vendor type of the REST seed: status responses carry exactly the seed's fields, so strict
    /// clients that fail on unknown properties keep working.
    case vendor = "application/vnd.sciquest.com.ees+json"

    /// Chooses the response type for an `Accept` header, or `nil` when none is acceptable (406).
    ///
    /// A missing header, `*/*` and `application/*` mean JSON. The seed's Java sample misspells the
    /// vendor type as `application/vnd.scicquest.com.ees+json`; it is accepted as the vendor type so
    /// that clients copied from the sample work unchanged.
    public static func negotiate(accept: String?) -> APIMediaType? {
        // Nearly every client sends exactly one type; only a list or parameters need the full parse.
        switch accept {
        case "application/json", "*/*": return .json
        case APIMediaType.vendor.rawValue: return .vendor
        default: break
        }
        guard let accept, !accept.trimmingSpacesAndTabs().isEmpty else { return .json }
        var best: (type: APIMediaType, quality: Double, specificity: Int)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpacesAndTabs().lowercased() }
            guard let name = parts.first, !name.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let candidate: (APIMediaType, Int)?
            switch name {
            case "application/json": candidate = (.json, 2)
            case "application/vnd.sciquest.com.ees+json", "application/vnd.scicquest.com.ees+json": candidate = (.vendor, 2)
            case "application/*", "application/*+json": candidate = (.json, 1)
            case "*/*", "*": candidate = (.json, 0)
            default: candidate = nil
            }
            guard let (type, specificity) = candidate else { continue }
            if let current = best, (current.quality, current.specificity) >= (quality, specificity) { continue }
            best = (type, quality, specificity)
        }
        return best?.type
    }
}
