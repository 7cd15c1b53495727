import Hummingbird
import Wire

/// Management routes' key check, in front of their handlers: it puts the caller in the context. `admin` routes take
/// the master key or a proxy admin's key (others get 403); `anyKey` routes take any valid key and leave finer
/// decisions (a key reading its own info) to the handler. Budgets are not checked here: an exhausted key may still
/// read its info and models, as in LiteLLM.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext

    enum Access: Sendable { case anyKey, admin }

    let authenticator: Authenticator
    let forwardedFor: ForwardedFor
    let access: Access

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let headers = HTTPAnswer.headers(request.headers)
        let clientIP = forwardedFor.clientIP(forwardedFor: request.headers[.xForwardedFor], peer: context.remoteIP)
        var context = context
        do throws(ProxyError) {
            let caller = try await authenticator.authenticate(headers, clientIP: clientIP, enforceBudget: false)
            if access == .admin, !caller.isAdmin { throw caller.adminOnly(request.uri.path) }
            context.caller = caller
        } catch {
            return HTTPAnswer.error(error)
        }
        return try await next(request, context)
    }
}
