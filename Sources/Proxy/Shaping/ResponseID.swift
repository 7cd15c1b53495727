import Foundation

/// LiteLLM's managed Responses API ids: `resp_` + base64 of
/// `litellm:custom_llm_provider:{provider};model_id:{deployment id};response_id:{upstream id}`. The id names the
/// deployment that holds the response, so a retrieve, delete or `previous_response_id` reaches it from any replica,
/// after any restart, with no shared state. Base64 with its padding, in the URL-safe alphabet: the id goes into
/// paths (`GET /v1/responses/{id}`), where LiteLLM's `+` and `/` would break it (LiteLLM hides them under a second,
/// URL-safe layer); both alphabets are read.
enum ResponseID {
    static let prefix = "resp_"

    /// What an id names; `modelID` nil for an id the proxy did not issue (the upstream's own).
    struct Decoded: Equatable {
        var provider: String?
        var modelID: String?
        var responseID: String
    }

    static func encode(provider: String, modelID: String, responseID: String) -> String {
        if decode(responseID).modelID != nil { return responseID }
        let plain = "litellm:custom_llm_provider:\(provider);model_id:\(modelID);response_id:\(responseID)"
        let standard = Data(plain.utf8).base64EncodedString()
        return prefix + standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// LiteLLM's decoding: anything that does not decode to its three fields is an upstream id as it is.
    static func decode(_ id: String) -> Decoded {
        let raw = Decoded(provider: nil, modelID: nil, responseID: id)
        let body = id.dropFirst(prefix.count).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        guard id.hasPrefix(prefix), let data = Data(base64Encoded: body),
            let plain = String(data: data, encoding: .utf8)
        else { return raw }
        let parts = plain.split(separator: ";", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("litellm:custom_llm_provider:"), parts[1].hasPrefix("model_id:"),
            parts[2].hasPrefix("response_id:")
        else { return raw }
        return Decoded(
            provider: String(parts[0].dropFirst("litellm:custom_llm_provider:".count)),
            modelID: String(parts[1].dropFirst("model_id:".count)),
            responseID: String(parts[2].dropFirst("response_id:".count))
        )
    }
}
