import Wire

/// Who may log in: LiteLLM's `UI_USERNAME` (default `admin`) with `UI_PASSWORD` (default the master key), and
/// `admin` with the master key. Without a master key or `UI_PASSWORD` nobody can log in.
struct UICredentials: Sendable {
    let pairs: [(username: String, password: String)]

    init(masterKey: String?, environment: [String: String]) {
        var pairs: [(String, String)] = []
        let username = environment["UI_USERNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "admin"
        if let password = environment["UI_PASSWORD"].flatMap({ $0.isEmpty ? nil : $0 }) ?? masterKey {
            pairs.append((username, password))
        }
        if let masterKey, !masterKey.isEmpty, !pairs.contains(where: { $0.0 == "admin" && $0.1 == masterKey }) {
            pairs.append(("admin", masterKey))
        }
        self.pairs = pairs
    }

    var enabled: Bool { !pairs.isEmpty }

    /// Compares every pair in constant time (no early exit on the first match or mismatch).
    func check(username: String, password: String) -> Bool {
        var matched = false
        for pair in pairs {
            let user = SecretHash.constantTimeEquals(username, pair.username)
            let pass = SecretHash.constantTimeEquals(password, pair.password)
            matched = matched || (user && pass)
        }
        return matched
    }
}
