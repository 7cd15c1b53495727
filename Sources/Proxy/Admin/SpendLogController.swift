import Hummingbird
import Wire

/// `/spend/logs` (rows with bodies), `/spend/logs/ui` (a page without them) and `/spend/logs/ui/{request_id}`.
struct SpendLogController {
    let reader: SpendLogReader

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/spend/logs") { request, _ in
            await HTTPAnswer.answer { () async throws(ProxyError) in try await reader.logs(HTTPAnswer.query(request)) }
        }
        group.get("/spend/logs/ui") { request, _ in
            await HTTPAnswer.answer { () async throws(ProxyError) in try await reader.page(HTTPAnswer.query(request)) }
        }
        group.get("/spend/logs/ui/:request_id") { _, context in
            let id = context.parameters.get("request_id") ?? ""
            return await HTTPAnswer.answer { () async throws(ProxyError) in
                guard let detail = try await reader.detail(id) else {
                    throw ProxyError(
                        OpenAIError(status: 404, message: "No spend log with request_id \(id)", type: "not_found_error")
                    )
                }
                return detail
            }
        }
    }
}
