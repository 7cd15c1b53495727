import Hummingbird
import Wire

/// Unknown routes and methods, and anything a handler did not turn into a response, answer in the OpenAI error
/// shape rather than an empty body.
struct ProxyErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let message =
                status == 404
                ? "Route not found: \(request.method.rawValue) \(request.uri.path)"
                : (error.body ?? error.status.reasonPhrase)
            return HTTPAnswer.error(
                ProxyError(
                    OpenAIError(
                        status: status,
                        message: message,
                        type: status == 404 ? "not_found_error" : "invalid_request_error",
                        param: "None"
                    )
                )
            )
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(describing: type(of: error)))"])
            return HTTPAnswer.error(
                ProxyError(
                    OpenAIError(
                        status: 500,
                        message: "Internal server error",
                        type: "internal_server_error",
                        param: "None"
                    )
                )
            )
        }
    }
}
