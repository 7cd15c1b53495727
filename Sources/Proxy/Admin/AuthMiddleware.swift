import Hummingbird
import Wire

/// Management routes' key check, in front of their handlers: the master key only (`masterOnly`, a virtual key gets
/// 403), or any valid key (the model listings and `/health`, as LiteLLM lets virtual keys read them).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext

    let authenticator: Authenticator
    let forwardedFor: ForwardedFor
    let masterOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let headers = HTTPAnswer.headers(request.headers)
        let clientIP = forwardedFor.clientIP(forwardedFor: request.headers[.xForwardedFor], peer: context.remoteIP)
        do {
            if masterOnly {
                _ = try await authenticator.authenticateMaster(headers, clientIP: clientIP)
            } else {
                _ = try await authenticator.authenticate(headers, clientIP: clientIP)
            }
        } catch {
            return HTTPAnswer.error(error)
        }
        return try await next(request, context)
    }
}
