import Foundation
import Wire

/// Data the runner carries with it: the seed's expected proxy response and the chat completion schema.
public enum ConformanceResources {
    public static let seedProxyResponse: JSON = load("seed-proxy-response")
    public static let chatCompletionSchema: JSON = load("chat-completion.schema")

    static func load(_ name: String) -> JSON {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json"),
            let data = try? Data(contentsOf: url), let json = try? JSON.parse(data)
        else {
            preconditionFailure("bundled resource \(name).json is missing or invalid")
        }
        return json
    }

    /// The seed's prompt.
    public static let seedPrompt = "what llm are you"
}
