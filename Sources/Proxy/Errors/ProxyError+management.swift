import Wire

/// LiteLLM's refusals on the management routes.
extension ProxyError {
    /// A route only proxy admins may call (LiteLLM's 401, naming the route, the caller's role and user).
    public static func adminOnly(route: String, role: String?, userID: String?) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 401,
                message: "Authentication Error, Only proxy admin can be used to generate, delete, update info for new "
                    + "keys/users/teams. Route=\(route). Your role=\(role ?? "unknown"). "
                    + "Your user_id=\(userID ?? "unknown")",
                type: "auth_error",
                param: "None"
            )
        )
    }

    /// A caller that may reach the route but not this record.
    public static func forbidden(_ message: String, param: String = "None") -> ProxyError {
        ProxyError(OpenAIError(status: 403, message: message, type: "auth_error", param: param))
    }
}

extension ProxyError {
    /// Runs a management call's database work: a database that fails is LiteLLM's 503 `db_unavailable`, naming
    /// what was unavailable (postgres-nio's and sqlite-nio's errors carry no credentials).
    public static func storeCall<T>(_ what: String, _ body: () async throws -> T) async throws(ProxyError) -> T {
        do {
            return try await body()
        } catch {
            throw ProxyError(
                OpenAIError(
                    status: 503,
                    message: "\(what) unavailable: \(String(describing: error).prefix(200))",
                    type: "db_unavailable",
                    param: "None"
                )
            )
        }
    }
}
