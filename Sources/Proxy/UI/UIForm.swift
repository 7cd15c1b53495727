import Foundation
import Hummingbird
import Wire

/// Fields of an `application/x-www-form-urlencoded` body or a query string (`+` is a space), in order.
struct UIForm: Sendable {
    var fields: [(name: String, value: String)]

    init(_ encoded: String) {
        fields = FormEncoding.pairs(encoded)
    }

    init(fields: [(name: String, value: String)]) { self.fields = fields }

    /// The first value, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard
            let value = fields.first(where: { $0.name == name })?.value.trimmingCharacters(in: .whitespacesAndNewlines),
            !value.isEmpty
        else { return nil }
        return value
    }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The request's query string.
    static func query(_ request: Request) -> UIForm { UIForm(request.uri.query ?? "") }

    /// The request's form body (at most 64 KiB).
    static func body(_ request: Request) async throws -> UIForm {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        return UIForm(String(buffer: buffer))
    }

    /// `a=1&b=2`, percent-encoded, skipping blank values.
    static func encode(_ pairs: [(String, String?)]) -> String { FormEncoding.encode(pairs) }

    /// One path segment, percent-encoded (a request id in a link).
    static func pathSegment(_ text: String) -> String {
        FormEncoding.percentEncoded(text)
    }
}
