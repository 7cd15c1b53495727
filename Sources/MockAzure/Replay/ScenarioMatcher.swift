/// Chooses what answers a request: the scenario named in `x-mock-scenario`, else the best scenario whose rules
/// hold, else the deployment's default scenario, else a generated answer. Pure and synchronous.
public struct ScenarioMatcher: Sendable {
    public enum Selection: Sendable {
        case scenario(Scenario, reason: Reason)
        case generated
        /// `x-mock-scenario` named a scenario that does not exist.
        case unknownName(String)
    }

    public enum Reason: String, Sendable {
        case named, matched, deploymentDefault = "deployment-default"
    }

    public let fixtures: FixtureSet

    public init(fixtures: FixtureSet) { self.fixtures = fixtures }

    public func select(_ request: MockRequest) -> Selection {
        if let name = request.scenarioName {
            guard let scenario = fixtures.scenario(named: name) else { return .unknownName(name) }
            return .scenario(scenario, reason: .named)
        }
        var best: Scenario?
        for scenario in fixtures.scenarios {
            guard let match = scenario.match, match.holds(for: request) else { continue }
            if let current = best {
                let currentRank = (current.priority, current.match?.ruleCount ?? 0)
                let rank = (scenario.priority, match.ruleCount)
                if rank > currentRank { best = scenario }
            } else {
                best = scenario
            }
        }
        if let best { return .scenario(best, reason: .matched) }
        if let name = fixtures.deployments[request.deployment]?.defaultScenario,
            let scenario = fixtures.scenario(named: name)
        {
            return .scenario(scenario, reason: .deploymentDefault)
        }
        return .generated
    }
}
