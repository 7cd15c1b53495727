import Foundation
import TestSupport
import Testing
import Wire

/// Request tags end to end: where they come from (body, header, key, user agent, extra headers), the deployment
/// they route to, the row that records them, and LiteLLM's refusal when they fit no deployment.
@Suite struct TagSpendTests {
    static func config(_ mockBase: String) -> String {
        let extra = "\nlitellm_settings:\n  extra_spend_tag_headers: [x-team-name]\n"
        return (TestConfigs.standard(mockBase: mockBase) + extra).replacingOccurrences(
            of: "model_list:\n",
            with: """
                model_list:
                  - {model_name: tagged, litellm_params: {model: azure/gpt-4o, api_base: \(mockBase), \
                api_key: k, tags: [paid]}, model_info: {id: tag-paid, enable_tag_filtering: true}}
                  - {model_name: tagged, litellm_params: {model: azure/gpt-4o-mini, api_base: \(mockBase), \
                api_key: k, tags: [default]}, model_info: {id: tag-default}}

                """
        )
    }

    static let body =
        #"{"model": "tagged", "metadata": {"tags": ["paid"]}, "tags": ["body-tag"], "#
        + #""messages": [{"role": "user", "content": "hi"}]}"#

    @Test func tagsRouteAndLandInTheRow() async throws {
        try await withProxy(config: Self.config) { proxy in
            let made = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/key/generate",
                headers: proxy.auth,
                body: #"{"metadata": {"tags": ["key-tag"]}}"#
            )
            let key = try #require(made.json?["key"]?.stringValue)
            let headers = [
                ("authorization", "Bearer \(key)"), ("user-agent", "curl/8.4.0"), ("x-litellm-tags", "hdr, paid"),
                ("x-team-name", "blue"),
            ]
            let response = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: headers,
                body: Self.body
            )
            #expect(response.status == 200)
            #expect(response.header("x-litellm-model-id") == "tag-paid")
            let id = try #require(response.json?["id"]?.stringValue)
            let row = try #require(try await SpendLogTests.rows(proxy, "?request_id=\(id)").first)
            #expect(
                row["request_tags"]?.arrayValue?.compactMap(\.stringValue) == [
                    "paid", "hdr", "body-tag", "key-tag", "User-Agent: curl", "User-Agent: curl/8.4.0",
                    "x-team-name: blue",
                ]
            )

            let untagged = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: #"{"model": "tagged", "messages": [{"role": "user", "content": "hi"}]}"#
            )
            #expect(untagged.header("x-litellm-model-id") == "tag-default")

            let refused = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth + [("x-litellm-tags", "&asia")],
                body: #"{"model": "tagged", "messages": [{"role": "user", "content": "hi"}]}"#
            )
            #expect(refused.status == 401)
            #expect(
                refused.json?.value(at: "error.message")
                    == "Not allowed to access model due to tags configuration. Passed model=tagged and tags=['&asia']"
            )
        }
    }
}
