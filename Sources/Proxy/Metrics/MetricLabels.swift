/// Each metric's labels, as LiteLLM 1.110.2's `prometheus` callback declares them (its org, custom-metadata and tag
/// labels aside: org labels are always `None` here, no organisations).
enum MetricLabels {
    static let requests: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .requestedModel, .team, .teamAlias, .user, .statusCode, .userEmail,
        .route, .clientIP, .userAgent, .modelID, .apiProvider, .orgID, .orgAlias,
    ]
    static let failedRequests: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .requestedModel, .team, .teamAlias, .user, .userEmail, .exceptionStatus,
        .exceptionClass, .route, .clientIP, .userAgent, .modelID, .apiProvider, .orgID, .orgAlias,
    ]
    static let llmRequests: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .model, .team, .teamAlias, .user, .userEmail, .clientIP, .userAgent,
        .requestedModel, .modelID, .apiProvider, .orgID, .orgAlias,
    ]
    static let llmFailedRequests: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .model, .team, .teamAlias, .user, .modelID,
    ]
    static let spend: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .model, .team, .teamAlias, .user, .userEmail, .clientIP, .userAgent,
        .requestedModel, .modelID, .apiProvider, .serviceTier, .orgID, .orgAlias,
    ]
    static let tokenDetails: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .model, .team, .teamAlias, .user, .userEmail, .requestedModel, .modelID,
        .apiProvider,
    ]
    static let tokens = tokenDetails + [.orgID, .orgAlias]
    static let requestLatency: [MetricLabel] = [
        .modelGroup, .endUser, .hashedAPIKey, .apiKeyAlias, .requestedModel, .team, .teamAlias, .user, .model,
        .modelID, .apiProvider, .serviceTier, .orgID, .orgAlias,
    ]
    static let upstreamLatency: [MetricLabel] = [
        .modelGroup, .model, .hashedAPIKey, .apiKeyAlias, .team, .teamAlias, .requestedModel, .endUser, .user,
        .modelID, .apiProvider, .serviceTier, .orgID, .orgAlias,
    ]
    static let deployment: [MetricLabel] = [
        .modelGroup, .requestedModel, .litellmModelName, .modelID, .apiBase, .apiProvider, .hashedAPIKey,
        .apiKeyAlias, .team, .teamAlias, .clientIP, .userAgent,
    ]
    static let deploymentState: [MetricLabel] = [.litellmModelName, .modelID, .apiBase, .apiProvider]
    static let remaining: [MetricLabel] = [
        .modelGroup, .apiProvider, .apiBase, .litellmModelName, .hashedAPIKey, .apiKeyAlias, .modelID,
    ]
    static let overheadLatency = remaining
    static let queueTime: [MetricLabel] = [
        .endUser, .hashedAPIKey, .apiKeyAlias, .requestedModel, .team, .teamAlias, .user, .model, .modelID,
        .apiProvider, .orgID, .orgAlias,
    ]
    static let deploymentLimit: [MetricLabel] = [.modelGroup, .litellmModelName, .modelID, .apiBase, .apiProvider]
    static let keyRateLimit: [MetricLabel] = [.hashedAPIKey, .apiKeyAlias, .rateLimitType]
    static let teamRateLimit: [MetricLabel] = [.team, .teamAlias, .rateLimitType]
    static let cache: [MetricLabel] = [
        .model, .hashedAPIKey, .apiKeyAlias, .team, .teamAlias, .endUser, .user, .modelID, .apiProvider,
    ]
}
