import Wire

/// Who is calling, once the key checked out.
/// A budget a request may not spend past.
public struct BudgetRefusal: Sendable, Equatable {
    public var message: String
    public var status: Int

    public var error: ProxyError { .budgetExceeded(message, status: status) }
}

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
    /// The key's team: its models bound the key's as well (empty = all), and its spend row names it.
    public var teamID: String?
    public var teamModels: [String]
    /// A personal key's user's `models` (empty = all): they bound the key's as well.
    public var userModels: [String] = []
    /// The team's model aliases (`model_aliases`): a name its keys may call a model group by.
    public var teamAliases: [String: String] = [:]
    /// The key's user's role (nil = the key has no user record): who may call which management route.
    public var role: UserRole?
    /// The per-minute limits its requests count against (key, team, end user), in LiteLLM's order.
    public var limits: [RateLimit] = []
    /// The request body's `user` when it names an end user record: its spend is tracked in the cache too.
    public var endUserID: String?
    /// The end user's `allowed_model_region`: the router picks only deployments in it.
    public var endUserRegion: String?
    /// The key's `metadata.tags`, then its team's (LiteLLM's inherited tags): added to every request's tags.
    public var policyTags: [String] = []
    /// Guardrails its key's and its team's metadata turn on (`metadata.guardrails`).
    public var guardrails: [String] = []
    /// A team, user or end-user budget already spent (LiteLLM's message and status): refused after the model checks,
    /// in LiteLLM's order.
    public var budgetRefusal: BudgetRefusal?
    /// The team alias, user email and budgets `/metrics` labels and gauges show.
    public var account = CallerAccount()

    public init(
        kind: Kind,
        keyHash: String,
        dbUnavailableFallback: Bool = false,
        userID: String? = nil,
        teamID: String? = nil,
        teamModels: [String] = [],
        role: UserRole? = nil
    ) {
        self.kind = kind
        self.keyHash = keyHash
        self.dbUnavailableFallback = dbUnavailableFallback
        self.userID = userID
        self.teamID = teamID
        self.teamModels = teamModels
        self.role = role
    }

    /// The master key, an open proxy, or a key whose user is a proxy admin: every management route.
    public var isAdmin: Bool {
        switch kind {
        case .master, .anonymous: return true
        case .virtualKey: return role == .proxyAdmin
        }
    }

    /// May read what admins read (`proxy_admin_viewer` too), never change it.
    public var isAdminViewer: Bool { isAdmin || role == .proxyAdminViewer }

    /// LiteLLM's refusal of an admin-only route to this caller.
    public func adminOnly(_ route: String) -> ProxyError {
        .adminOnly(route: route, role: role?.rawValue, userID: userID)
    }

    /// The master key's caller: what in-process callers (tests, the admin UI) act as.
    public static let admin = Caller(kind: .master, keyHash: "", userID: adminUserID)

    /// LiteLLM's user id for calls made with the master key (`litellm_proxy_admin_name`).
    public static let adminUserID = "default_user_id"

    public func mayUse(modelGroup: String) -> Bool {
        Caller.allows(keyModels, modelGroup) && Caller.allows(teamModels, modelGroup)
            && Caller.allows(userModels, modelGroup)
    }

    /// The key's own model list (empty = every model; always empty for the master key and an open proxy).
    public var keyModels: [String] {
        if case .virtualKey(_, _, let models) = kind { return models }
        return []
    }

    /// A model list (empty = every model) lets a group through.
    static func allows(_ models: [String], _ modelGroup: String) -> Bool {
        models.isEmpty || models.contains(modelGroup) || models.contains("all-proxy-models")
    }
}

/// Decides who a presented key belongs to. The master key is checked here; virtual keys plug in as a
/// `VirtualKeyStore` (backed by the database, through a cache).
public protocol VirtualKeyStore: Sendable {
    /// The caller for a key that is not the master key, or a `ProxyError` (unknown, blocked, expired…). Budgets are
    /// checked for model calls only: an exhausted key may still read its own info and model list, as in LiteLLM.
    func caller(forKey key: String, enforceBudget: Bool) async throws(ProxyError) -> Caller
}

extension VirtualKeyStore {
    public func caller(forKey key: String) async throws(ProxyError) -> Caller {
        try await caller(forKey: key, enforceBudget: true)
    }
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
    public func authenticate(_ headers: [(String, String)], clientIP: String?, enforceBudget: Bool = true)
        async throws(ProxyError) -> Caller
    {
        if let wait = throttle?.retryAfter(clientIP) { throw .tooManyFailedAuthentications(retryAfter: wait) }
        do {
            return try await authenticate(enforceBudget: enforceBudget) { name in headers.first { $0.0 == name }?.1 }
        } catch {
            // A refused key counts; no key at all is no guess (and costs no lookup).
            if error.status == 401, error.error.message != ProxyError.noKey.error.message { throttle?.failed(clientIP) }
            throw error
        }
    }

    public func authenticate(enforceBudget: Bool = true, _ header: (String) -> String?) async throws(ProxyError)
        -> Caller
    {
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
            return try await virtualKeys.caller(forKey: key, enforceBudget: enforceBudget)
        }
    }
}
