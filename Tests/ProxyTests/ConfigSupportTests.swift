import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The support table of LiteLLM's config keys: the page generated from it, the report for a file, strict mode.
@Suite struct ConfigSupportTests {
    static let sample = """
        model_list:
          - model_name: chat
            litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', api_key: k, \
        temperature: 0.2, azure_username: u, input_cost_per_token: 0.1, cache_creation_input_token_cost: 0.2}
          - model_name: chat
            litellm_params: {model: azure/gpt-4o-mini, api_base: 'https://r.openai.azure.com', api_key: k, \
        azure_username: v}
        general_settings: {master_key: sk-1, alerting: [slack], spend_journal: true, mystery_setting: 1}
        litellm_settings: {drop_params: true, budget_rollover: true, callbacks: [prometheus, s3]}
        router_settings: {num_retries: 2}
        """

    @Test func docsPageIsGeneratedFromTheTable() throws {
        let page = try String(
            contentsOf: TestPaths.root.appendingPathComponent("docs/config-support.md"),
            encoding: .utf8
        )
        #expect(
            page == ConfigSupport.markdown(),
            "docs/config-support.md is stale: regenerate it with `proxy --config-support-table`"
        )
    }

    @Test func tableCoversLiteLLMsWholeSurface() {
        // Counts from LiteLLM 1.110.2's source (ConfigGeneralSettings and reads, litellm module knobs, Router args,
        // GenericLiteLLMParams without price fields, ModelInfo): a shrinking table is a lost key.
        let counts = ConfigSupport.Section.allCases.map { $0.keys.count }
        #expect(counts == [24, 225, 278, 61, 154, 132])
        #expect(ConfigSupport.litellmSettings["drop_params"]?.level == .honoured)
        #expect(ConfigSupport.litellmSettings["budget_rollover"]?.level == .unsupported)
    }

    @Test func reportNamesEachPresentKeyThatIsNotHonouredOnce() throws {
        let config = try ConfigLoader.parse(Self.sample)
        let byPath = Dictionary(config.support.map { ($0.path, $0.kind) }, uniquingKeysWith: { first, _ in first })
        #expect(
            byPath == [
                "general_settings.alerting": .unsupported, "general_settings.spend_journal": .own,
                "general_settings.mystery_setting": .unknown, "litellm_settings.budget_rollover": .unsupported,
                "litellm_settings.callbacks[1]": .unsupported,
                "model_list[].litellm_params.azure_username": .unsupported,
                "model_list[].litellm_params.cache_creation_input_token_cost": .unsupported,
            ]
        )
        #expect(config.support.count == byPath.count, "each key once, however many deployments carry it")
        let warned = config.warnings.filter { $0.contains(": not supported") || $0.contains("unknown to LiteLLM") }
        #expect(warned.count == 6)
        #expect(!config.warnings.joined().contains("sk-1"))
    }

    @Test func strictModeRefusesWhatIsNotHonoured() throws {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(Self.sample, strict: true) }
        do {
            _ = try ConfigLoader.parse(
                Self.sample.replacingOccurrences(of: "master_key: sk-1,", with: "strict_config: true,")
            )
            Issue.record("general_settings.strict_config is strict mode too")
        } catch {
            #expect(
                error.reason.contains("litellm_settings.budget_rollover") && error.reason.contains("mystery_setting")
            )
        }
        let honoured = """
            model_list:
              - {model_name: chat, litellm_params: {model: azure/gpt-4o, api_base: 'https://r.openai.azure.com', \
            api_key: k, seed: 1, drop_params: true}}
            general_settings: {master_key: sk-1, spend_journal: false}
            litellm_settings: {drop_params: true, num_retries: 1}
            """
        #expect(try ConfigLoader.parse(honoured, strict: true).warnings.isEmpty)
    }
}
