import Wire

/// Who is calling, once the key checked out.
public struct Caller: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The master key: every model and the management API.
        case master
        /// A virtual key (sha256 of it in `token`), with the models it may use (empty = all).
        case virtualKey(token: String, alias: String?, models: [String])
        /// No master key is configured: the proxy is open, as LiteLLM is without one.
        case anonymous
    }

    public var kind: Kind
    /// sha256 hex of the presented key ("" when none): what spend rows store.
    public var keyHash: String
    /// Let through unchecked because the key database was unreachable and the key not cached
    /// (`allow_requests_on_db_unavailable: true`, LiteLLM's "failed-to-connect-to-db" identity). Its spend row says so.
    public var dbUnavailableFallback: Bool
    /// Who owns the key: the spend row's `user` (the request body's `user` is the `end_user`, never this).
    public var userID: String?

    public init(kind: Kind, keyHash: String, dbUnavailableFallback: Bool = false, userID: String? = nil) {
        self.kind = kind
        self.keyHash = keyHash
        self.dbUnavailableFallback = dbUnavailableFallback
        self.userID = userID
    }

    /// LiteLLM's user id for calls made with the master key (`litellm_proxy_admin_name`).
    public static let adminUserID = "default_user_id"

    public func mayUse(modelGroup: String) -> Bool {
        switch kind {
        case .master, .anonymous: return true
        case .virtualKey(_, _, let models):
            return models.isEmpty || models.contains(modelGroup) || models.contains("all-proxy-models")
        }
    }
}

/// Decides who a presented key belongs to. The master key is checked here; virtual keys plug in as a
/// `VirtualKeyStore` (backed by the database, through a cache).
public protocol VirtualKeyStore: Sendable {
    /// The caller for a key that is not the master key, or a `ProxyError` (unknown, blocked, expired…).
    func caller(forKey key: String) async throws(ProxyError) -> Caller
}

public struct Authenticator: Sendable {
    public var masterKey: String? {
        didSet { masterKeyHash = masterKey.map(SecretHash.sha256Hex) ?? "" }
    }
    public var extractor: KeyExtractor
    public var virtualKeys: (any VirtualKeyStore)?
    /// The master key's sha256, computed once (every request made with it carries the hash into its spend row).
    var masterKeyHash: String
    /// Refused keys per client address (guessing keys, or hammering the key database with unknown ones).
    public var throttle: FailureThrottle?

    public init(
        masterKey: String?,
        extractor: KeyExtractor = KeyExtractor(),
        virtualKeys: (any VirtualKeyStore)? = nil,
        throttle: FailureThrottle? = nil
    ) {
        self.masterKey = masterKey
        self.extractor = extractor
        self.virtualKeys = virtualKeys
        self.masterKeyHash = masterKey.map(SecretHash.sha256Hex) ?? ""
        self.throttle = throttle
    }

    /// The caller of a request with these (lower-case) headers. An address with too many refused keys in its window
    /// gets a 429 with `retry-after` before any key is looked at.
    public func authenticate(_ headers: [(String, String)], clientIP: String?) async throws(ProxyError) -> Caller {
        if let wait = throttle?.retryAfter(clientIP) { throw .tooManyFailedAuthentications(retryAfter: wait) }
        do {
            return try await authenticate { name in headers.first { $0.0 == name }?.1 }
        } catch {
            // A refused key counts; no key at all is no guess (and costs no lookup).
            if error.status == 401, error.error.message != ProxyError.noKey.error.message { throttle?.failed(clientIP) }
            throw error
        }
    }

    /// A management call's caller: the master key (or anyone, on an open proxy without one); virtual keys get 403.
    public func authenticateMaster(_ headers: [(String, String)], clientIP: String?) async throws(ProxyError)
        -> Caller
    {
        let caller = try await authenticate(headers, clientIP: clientIP)
        if case .virtualKey = caller.kind { throw .masterKeyRequired }
        return caller
    }

    public func authenticate(_ header: (String) -> String?) async throws(ProxyError) -> Caller {
        let presented = extractor.extract(header)
        guard let masterKey else {
            // Without a master key LiteLLM lets every request through.
            if case .key(let key) = presented { return Caller(kind: .anonymous, keyHash: SecretHash.sha256Hex(key)) }
            return Caller(kind: .anonymous, keyHash: "")
        }
        switch presented {
        case .none: throw .noKey
        case .malformed: throw .malformedKey
        case .key(let key):
            if SecretHash.constantTimeEquals(key, masterKey) {
                return Caller(kind: .master, keyHash: masterKeyHash, userID: Caller.adminUserID)
            }
            guard let virtualKeys else { throw .invalidKey(key) }
            return try await virtualKeys.caller(forKey: key)
        }
    }
}
