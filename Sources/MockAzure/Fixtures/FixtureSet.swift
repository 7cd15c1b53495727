/// Everything loaded from a fixtures folder: the deployments and the scenarios, in file order.
public struct FixtureSet: Sendable {
    public var deployments: [String: Deployment]
    public var scenarios: [Scenario]
    /// Accepted `api-version` values on deployments URLs.
    public var apiVersions: Set<String>
    /// Length of the rate limiter's sliding window.
    public var rateLimitWindowSeconds: Double
    /// Content Safety answers by name (`fixtures/content-safety/`).
    public var contentSafety: [String: ContentSafetyFixture] = [:]

    public static let defaultAPIVersions: Set<String> = [
        "2022-12-01", "2023-05-15", "2023-06-01-preview", "2023-12-01-preview", "2024-02-01", "2024-02-15-preview",
        "2024-03-01-preview", "2024-04-01-preview", "2024-05-01-preview", "2024-06-01", "2024-07-01-preview",
        "2024-08-01-preview", "2024-09-01-preview", "2024-10-01-preview", "2024-10-21", "2024-12-01-preview",
        "2025-01-01-preview", "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview",
    ]

    /// Values of `api-version` accepted on the `/openai/v1/` surface (absent is accepted too).
    public static let v1APIVersions: Set<String> = ["v1", "preview", "latest"]

    public init(
        deployments: [Deployment],
        scenarios: [Scenario],
        apiVersions: Set<String> = FixtureSet.defaultAPIVersions,
        rateLimitWindowSeconds: Double = 60
    ) {
        self.deployments = Dictionary(deployments.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.scenarios = scenarios
        self.apiVersions = apiVersions
        self.rateLimitWindowSeconds = rateLimitWindowSeconds
    }

    public func scenario(named name: String) -> Scenario? {
        scenarios.first { $0.name == name }
    }
}
