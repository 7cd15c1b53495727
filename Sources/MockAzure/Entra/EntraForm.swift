import Foundation
import Wire

/// `application/x-www-form-urlencoded` name/value pairs, as the authorize query, the sign-in form and the token
/// request carry them.
struct EntraForm: Sendable {
    var pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) { self.pairs = pairs }

    /// Decodes `a=1&b=x+y%21` (see `FormEncoding.pairs`).
    init(encoded text: String) { pairs = FormEncoding.pairs(text) }

    /// The first value given for `name`, or nil when it is absent or empty (Entra treats an empty parameter as a
    /// missing one).
    func value(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
        return value
    }

    /// These pairs followed by `other`'s whose names these do not have.
    func adding(_ other: EntraForm) -> EntraForm {
        let names = Set(pairs.map(\.name))
        return EntraForm(pairs: pairs + other.pairs.filter { !names.contains($0.name) })
    }
}
