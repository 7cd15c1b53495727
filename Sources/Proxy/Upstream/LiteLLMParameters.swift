import Wire

/// The parameters LiteLLM 1.110.2 owns (`all_litellm_params`): set on a deployment or in a request they configure
/// LiteLLM — routing, budgets, limits, credentials, callbacks, prices, testing — and never reach the provider.
enum LiteLLMParameters {
    /// Whether LiteLLM keeps `name` to itself.
    static func isOwned(_ name: String) -> Bool {
        owned.contains(name) || name.hasPrefix("_") || name.includes("cost_per_") || name.includes("_token_cost")
            || controls.contains(name)
    }

    /// Owned, though not in `all_litellm_params`: LiteLLM reads them as call arguments and never forwards them.
    static let controls: Set<String> = [
        "timeout", "drop_params", "additional_drop_params", "azure_ad_token", "extra_headers", "base_url",
        "azure_endpoint", "mock_tool_calls", "mock_testing_fallbacks", "mock_testing_context_fallbacks",
        "mock_testing_content_policy_fallbacks", "mock_testing_rate_limit_error", "mock_delay",
        "context_window_fallbacks", "content_policy_fallbacks", "user_api_key", "aws_secret_access_key",
        "vertex_credentials",
    ]

    /// `all_litellm_params` without its ~150 price fields (matched by name above).
    static let owned: Set<String> = [
        "api_key", "api_base", "api_version", "responses_api_version", "region_name", "headers",
        "provider_specific_header", "client", "shared_session", "ssl_verify", "request_timeout", "force_timeout",
        "stream_timeout", "timeout_by_service_tier", "stream_timeout_by_service_tier", "max_retries", "tenant_id",
        "client_id", "client_secret", "azure_username", "azure_password", "azure_scope", "azure_ad_token_provider",
        "litellm_credential_name", "configurable_clientside_auth_params", "use_xai_oauth", "chatgpt_auth_file",
        "github_copilot_auth_type", "github_copilot_host", "github_copilot_user_session", "token_exchange_endpoint",
        "token_exchange_profile", "token_exchange_scope", "token_exchange_audience", "fireworks_forward_user_id",
        "aws_batch_role_arn", "aws_bedrock_control_plane_endpoint", "s3_bucket_name", "s3_region_name",
        "s3_endpoint_url", "s3_output_bucket_name", "s3_bucket_owner", "s3_access_key_id", "s3_secret_access_key",
        "s3_encryption_key_id", "bedrock_tags", "anthropic_federation_rule_id", "anthropic_organization_id",
        "anthropic_service_account_id", "anthropic_federation_workspace_id", "anthropic_identity_token_file",
        "anthropic_identity_token", "anthropic_identity_source", "anthropic_issuer_url", "anthropic_issuer_subject",
        "anthropic_issuer_audience", "anthropic_issuer_ttl_seconds", "anthropic_issuer_signing_key_ref",
        "anthropic_keycloak_token_url", "anthropic_keycloak_client_id", "anthropic_keycloak_auth_method",
        "anthropic_keycloak_client_secret_ref", "anthropic_keycloak_scope",
        "anthropic_disable_workload_identity_federation", "openai_identity_provider_id", "openai_service_account_id",
        "openai_identity_token_file", "custom_llm_provider", "azure", "use_litellm_proxy", "use_chat_completions_api",
        "use_in_pass_through", "allowed_openai_params", "fallbacks", "context_window_fallback_dict", "num_retries",
        "retry_policy", "retry_strategy", "routing_strategy", "cooldown_time", "allowed_model_region",
        "enable_tag_filtering", "fastest_response", "provider_affinity_header", "search_tool_name", "model_list",
        "model_info", "rpm", "tpm", "itpm", "otpm", "rpd", "tpd", "daily_reset_time", "kubernetes_pod_discovery",
        "default_api_key_rpm_limit", "default_api_key_tpm_limit", "max_parallel_requests", "weight", "order",
        "tag_regex", "max_file_size_mb", "silent_model", "switchyard_router_config", "auto_router_config_path",
        "auto_router_config", "auto_router_default_model", "auto_router_embedding_model", "auto_router_max_input_chars",
        "auto_router_routing_compression", "auto_router_model_compression", "complexity_router_config",
        "complexity_router_default_model", "adaptive_router_config", "adaptive_router_default_model",
        "quality_router_config", "quality_router_default_model", "caching", "cache", "ttl", "enable_prompt_caching",
        "caching_groups", "base_model", "max_budget", "budget_duration", "id", "metadata", "litellm_metadata", "tags",
        "litellm_trace_id", "litellm_session_id", "litellm_request_debug", "logger_fn", "verbose", "no-log",
        "log_client_error_tracebacks", "max_agentic_loops", "guardrails", "prompt_id", "prompt_variables",
        "prompt_version", "prompt_environment", "prompt_label", "litellm_system_prompt", "custom_prompt_dict",
        "initial_prompt_value", "roles", "final_prompt_value", "bos_token", "eos_token", "hf_model_name",
        "supports_system_message", "ensure_alternating_roles", "user_continue_message", "assistant_continue_message",
        "disable_add_transform_inline_image_block", "merge_reasoning_content_in_choices",
        "thought_signature_in_tool_call_id", "enable_json_schema_validation", "complete_response", "keepalive_seconds",
        "allow_client_keepalive_override", "stream_chunk_size", "mock_response", "mock_timeout", "litellm_call_id",
        "completion_call_id", "model_alias_map", "data_residency", "litellm_logging_obj", "preset_cache_key",
        "cache_key", "stream_response", "fallback_depth", "max_fallbacks", "attempted_targets", "proxy_server_request",
        "secret_fields", "litellm_trusted_callback_vars", "client_side_timeout", "model_file_id_mapping", "acompletion",
        "aembedding", "aimg_generation", "atext_completion", "text_completion", "allm_passthrough_route", "async_call",
        "self", "use_client", "model_config", "rust", "langfuse_public_key", "langfuse_secret", "langfuse_secret_key",
        "langfuse_host", "langfuse_environment", "langfuse_span_scope", "langfuse_prompt_version", "gcs_bucket_name",
        "gcs_path_service_account", "langsmith_api_key", "langsmith_project", "langsmith_base_url",
        "langsmith_sampling_rate", "langsmith_tenant_id", "humanloop_api_key", "arize_api_key", "arize_space_key",
        "arize_space_id", "arize_success_sampling_rate", "arize_error_sampling_rate", "arize_otlp_protocol",
        "posthog_api_key", "posthog_api_url", "wandb_api_key", "weave_project_id", "dd_api_key", "dd_site",
        "dd_agent_host", "dd_agent_port", "newrelic_api_key", "newrelic_region", "signoz_ingestion_endpoint",
        "signoz_ingestion_key", "turn_off_message_logging", "litellm_disabled_callbacks", "tiered_pricing",
        "output_vector_size", "regional_processing_uplift_multiplier_eu", "regional_processing_uplift_multiplier_us",
        "fedramp_uplift_multiplier", "regional_endpoint_uplift_multiplier",
    ]
}
