import Foundation
import NIOConcurrencyHelpers
import Wire

/// A signed-in user: who, with which role, the CSRF token every form of the session carries, and when it ends.
struct UISession: Sendable, Equatable {
    /// The name shown and written to the audit log (the SSO user's email or id).
    var username: String
    /// `proxy_admin` for a password login; an SSO user's mapped role otherwise.
    var role: UserRole = .proxyAdmin
    /// The `LiteLLM_UserTable` row of an SSO user (nil for a password login).
    var userID: String?
    var csrfToken: String
    var expires: Date
    /// Messages for the next page shown (after a redirect).
    var flash: [String] = []
    /// A key just created, shown once by the next Keys page and then forgotten.
    var createdKey: UICreatedKey?
}

extension UISession {
    /// What this session may see, decided from its role.
    var scope: UIScope { UIScope(self) }
}

/// The one-time display of a new key.
struct UICreatedKey: Sendable, Equatable {
    var key: String
    var keyName: String
    var alias: String?
}

/// The admin UI's sessions, in memory: a session id is 32 random bytes held only by the browser (an HttpOnly
/// cookie); the store keeps its sha256, so a dump of the table cannot be replayed. Sessions end after `ttl`, on
/// logout, or when more than `capacity` are open (the oldest go first).
final class UISessionStore: Sendable {
    let ttl: TimeInterval
    let capacity: Int
    private let table = NIOLockedValueBox<[String: UISession]>([:])

    init(ttl: TimeInterval = 8 * 3600, capacity: Int = 1000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// Opens a session; returns its id (for the cookie only — never logged, never stored).
    func create(
        username: String,
        role: UserRole = .proxyAdmin,
        userID: String? = nil,
        now: Date = Date()
    ) -> (id: String, session: UISession) {
        let id = UISessionStore.randomToken()
        let session = UISession(
            username: username,
            role: role,
            userID: userID,
            csrfToken: UISessionStore.randomToken(),
            expires: now.addingTimeInterval(ttl)
        )
        table.withLockedValue { table in
            table = table.filter { $0.value.expires > now }
            while table.count >= capacity, let oldest = table.min(by: { $0.value.expires < $1.value.expires }) {
                table.removeValue(forKey: oldest.key)
            }
            table[SecretHash.sha256Hex(id)] = session
        }
        return (id, session)
    }

    /// The live session for a cookie value, if any.
    func session(id: String, now: Date = Date()) -> UISession? {
        let hash = SecretHash.sha256Hex(id)
        return table.withLockedValue { table in
            guard let session = table[hash] else { return nil }
            if session.expires <= now {
                table.removeValue(forKey: hash)
                return nil
            }
            return session
        }
    }

    /// Changes a live session (flash messages, the created key).
    func update(id: String, _ change: (inout UISession) -> Void) {
        table.withLockedValue { table in
            let hash = SecretHash.sha256Hex(id)
            guard var session = table[hash] else { return }
            change(&session)
            table[hash] = session
        }
    }

    /// Takes the session's flash messages (each is shown once).
    func takeFlash(id: String) -> [String] {
        take(id: id) { session -> [String]? in
            defer { session.flash = [] }
            return session.flash
        } ?? []
    }

    /// Takes the key just created (shown once).
    func takeCreatedKey(id: String) -> UICreatedKey? {
        take(id: id) { session in
            defer { session.createdKey = nil }
            return session.createdKey
        }
    }

    private func take<T>(id: String, _ body: (inout UISession) -> T?) -> T? {
        table.withLockedValue { table in
            let hash = SecretHash.sha256Hex(id)
            guard var session = table[hash] else { return nil }
            let taken = body(&session)
            table[hash] = session
            return taken
        }
    }

    func end(id: String) {
        _ = table.withLockedValue { $0.removeValue(forKey: SecretHash.sha256Hex(id)) }
    }

    /// The stored keys (sha256 of ids), for tests.
    var storedHashes: [String] { table.withLockedValue { Array($0.keys) } }

    /// 32 random bytes, base64url without padding (43 characters, valid in a cookie and a form field).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0 ..< 32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=",
                with: ""
            )
    }
}
