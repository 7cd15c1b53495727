/// LiteLLM's `user_role` values: who may call which management route.
public enum UserRole: String, Sendable, Equatable, CaseIterable {
    case proxyAdmin = "proxy_admin"
    case proxyAdminViewer = "proxy_admin_viewer"
    case internalUser = "internal_user"
    case internalUserViewer = "internal_user_viewer"
    case orgAdmin = "org_admin"
    case team = "team"
    case customer = "customer"
}
