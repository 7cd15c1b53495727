import NIOCore
import NIOHTTP1
import Wire

/// The client's answer from an upstream's: LiteLLM's headers, its error for a refusal, its body shape and cost.
enum ResponseBuilder {
    /// Upstream headers never passed on as they are (the proxy frames its own answer).
    static let hopByHop: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "content-type", "date", "server",
        "set-cookie",
    ]

    /// `x-litellm-model-*` for the deployment that answered, the upstream's rate-limit headers as they are, and every
    /// upstream header again under `llm_provider-`.
    static func headers(deployment: ModelDeployment, group: String, apiBase: String, upstream: HTTPHeaders)
        -> [(String, String)]
    {
        var headers: [(String, String)] = [
            ("x-litellm-model-id", deployment.id),
            ("x-litellm-model-name", deployment.model),
            ("x-litellm-model-api-base", deployment.publicAPIBase ?? apiBase),
            ("x-litellm-model-group", group),
        ]
        if let region = deployment.region { headers.append(("x-litellm-model-region", region)) }
        for (name, value) in upstream {
            let lower = name.lowercased()
            if hopByHop.contains(lower) { continue }
            if lower.hasPrefix("x-ratelimit-") || lower == "retry-after" || lower == "retry-after-ms" {
                headers.append((lower, value))
            }
            headers.append(("llm_provider-" + lower, value))
        }
        return headers
    }

    /// An upstream's refusal as the client sees it; its retry headers stay with the error for the router.
    static func refusal(status: Int, body bytes: [UInt8], headers: [(String, String)], deployment: ModelDeployment)
        -> ProxyError
    {
        let retryHeaders = headers.filter {
            $0.0 == "retry-after" || $0.0 == "retry-after-ms" || $0.0.hasPrefix("x-ratelimit-")
        }
        var error = ProxyError.upstream(
            status: status,
            body: try? JSON.parse(bytes),
            rawBody: String(decoding: bytes.prefix(2048), as: UTF8.self),
            deployment: deployment,
            headers: retryHeaders
        )
        error.headers += headers.filter { header in !retryHeaders.contains { $0.0 == header.0 } }
        return error
    }

    /// The headers that open a relayed stream.
    static func streamHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        [("content-type", "text/event-stream")] + headers + [
            ("cache-control", "no-cache"), ("x-accel-buffering", "no"),
        ]
    }

    /// A whole answer: LiteLLM's body shape, and its cost when the usage and a price are known.
    struct Answer {
        /// The shaped answer as JSON; nil when it was shaped from its bytes (`ResponseShaper.shapedBytes`).
        var json: JSON?
        var body: ByteBuffer
        /// The upstream's usage and model, as it gave them (the row and the price read these).
        var usage: JSON?
        var model: String?
        var cost: Double?
        /// The answer's `id` when it was shaped from its bytes (the row's request_id, without a second scan).
        var id: String?
    }

    /// A 200 whose body is not JSON (cut short, garbled) is a failed attempt, as LiteLLM's APIError: retried, and a
    /// 500 for the client if nothing else answers.
    /// `responses`: a Responses API object (its id made the proxy's, its usage read in chat's terms).
    /// `asJSON`: the caller edits the shaped answer (a text-completion conversion); otherwise a chat or embeddings
    /// answer is shaped from its bytes.
    static func answer(
        _ bytes: [UInt8],
        deployment: ModelDeployment,
        prices: PriceTable,
        responses: Bool = false,
        asJSON: Bool = false
    ) throws(ProxyError) -> Answer {
        if !responses, !asJSON {
            do throws(JSONParseError) {
                if let shaped = try ResponseShaper.shapedBytes(bytes, deployment: deployment) {
                    let cost = price(shaped.usage, model: shaped.model, deployment: deployment, prices: prices)
                    let body = ByteBuffer(bytes: shaped.body)
                    return Answer(
                        json: nil,
                        body: body,
                        usage: shaped.usage,
                        model: shaped.model,
                        cost: cost,
                        id: shaped.id
                    )
                }
            } catch {
                throw notJSON(deployment)
            }
        }
        guard let json = try? JSON.parse(bytes) else { throw notJSON(deployment) }
        let shaped =
            responses
            ? ResponsesShaper.answer(json, deployment: deployment) : ResponseShaper.shape(json, deployment: deployment)
        let model = json["model"]?.stringValue
        let usage = responses ? ResponsesShaper.chatUsage(json["usage"]) : json["usage"]
        let cost = price(usage, model: model, deployment: deployment, prices: prices)
        return Answer(json: shaped, body: shaped.byteBuffer(), usage: usage, model: model, cost: cost)
    }

    static func price(_ usage: JSON?, model: String?, deployment: ModelDeployment, prices: PriceTable) -> Double? {
        usage.flatMap { usage in
            prices.price(for: deployment, upstreamModel: model).map { PriceTable.cost(usage: usage, price: $0) }
        }
    }

    static func notJSON(_ deployment: ModelDeployment) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 500,
                message: "litellm.APIError: \(ProxyError.providerName(deployment))Exception - the upstream "
                    + "answer was not valid JSON. model=\(deployment.upstreamModel)",
                type: "api_error",
                param: "None"
            ),
            retryClass: .internalServer
        )
    }
}
