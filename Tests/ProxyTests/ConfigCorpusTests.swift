import Foundation
import Logging
import MockAzure
import NIOCore
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Real LiteLLM config files (Tests/configs/corpus): each loads with exactly its expected report (the `.report`
/// beside it, as `--check-config` prints it), and every model group answers the seed request 200 through the
/// gateway from a strict MockAzure, with nothing of LiteLLM's own in what reached Azure.
@Suite struct ConfigCorpusTests {
    static let folder = TestPaths.root.appendingPathComponent("Tests/configs/corpus")

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The variables the files name (`os.environ/…`), with dummy values; the Azure base is the mock's.
    static func environment(azureBase: String) -> [String: String] {
        var environment = [
            "AZURE_API_BASE": azureBase, "AZURE_API_KEY": TestConfigs.azureKey, "LITELLM_MASTER_KEY": "sk-corpus",
            // The mock serves Content Safety too: the files' default_on guardrails run on the seed request.
            "AZURE_CONTENT_SAFETY_API_BASE": azureBase, "AZURE_CONTENT_SAFETY_API_KEY": TestConfigs.azureKey,
        ]
        for name in [
            "APORIA_API_BASE_1", "APORIA_API_KEY_1", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "PRESIDIO_ANALYZER_API_BASE",
            "PRESIDIO_ANONYMIZER_API_BASE", "REDIS_HOST", "REDIS_PASSWORD", "REDIS_PORT",
        ] {
            environment[name] = "corpus-dummy"
        }
        return environment
    }

    @Test func everyFileLoadsWithItsExpectedReport() throws {
        let files = try Self.files()
        #expect(files.count >= 20)
        for file in files {
            let config = try ConfigLoader.load(path: file.path, environment: Self.environment(azureBase: "http://a"))
            let expected = try String(
                contentsOf: file.deletingPathExtension().appendingPathExtension("report"),
                encoding: .utf8
            ).split(separator: "\n").map(String.init)
            #expect(config.support.map(\.description) == expected, "\(file.lastPathComponent)")
        }
    }

    @Test func everyGroupAnswersTheSeedRequestWithNothingOfLiteLLMsUpstream() async throws {
        try await withMockAzure { mock, base in
            let client = UpstreamClient()
            var logger = Logger(label: "corpus")
            logger.logLevel = .error
            var answered = 0
            for file in try Self.files() {
                let config = try ConfigLoader.load(path: file.path, environment: Self.environment(azureBase: base))
                let gateway = Gateway(
                    config: config,
                    transport: UpstreamTransport(client: client.http),
                    logger: logger
                )
                for group in config.modelGroups {
                    let (status, text) = await Self.seed(gateway, group: group, config: config)
                    #expect(status == 200, "\(file.lastPathComponent) \(group): \(text)")
                    answered += 1
                }
            }
            try await client.http.shutdown()
            #expect(answered >= 60)
            for entry in mock.journal.entries {
                let keys = entry.body?.objectValue?.keys.map { $0 } ?? []
                let owned = keys.filter(LiteLLMParameters.isOwned)
                #expect(owned.isEmpty, "\(entry.path) carried \(owned)")
            }
        }
    }

    /// The seed request in the group's own operation (chat, or its embeddings / legacy completions mode).
    static func seed(_ gateway: Gateway, group: String, config: ProxyConfig) async -> (Int, String) {
        let mode = config.deployments.first { $0.modelName == group }?.modelInfo["mode"]?.stringValue
        let (operation, body): (ProxyOperation, JSON) =
            switch mode {
            case "embedding": (.embeddings, ["model": .string(group), "input": "what llm are you"])
            case "completion": (.completions, ["model": .string(group), "prompt": "what llm are you"])
            default:
                (
                    .chatCompletions,
                    ["model": .string(group), "messages": [["role": "user", "content": "what llm are you"]]]
                )
            }
        let outcome = await gateway.handle(
            ProxyCall(
                operation: operation,
                route: operation.route,
                headers: config.settings.masterKey.map { [("authorization", "Bearer \($0)")] } ?? [],
                body: body.byteBuffer()
            )
        )
        guard case .complete(let status, _, let bytes) = outcome else { return (0, "a stream") }
        return (status, String(buffer: bytes))
    }
}
