/// `router_settings.routing_strategy`.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Weighted random by `weight`, else `rpm`, else `tpm` (LiteLLM's default).
    case simpleShuffle = "simple-shuffle"
    /// Fewest requests in flight.
    case leastBusy = "least-busy"
    /// Lowest moving average of latency (time to first token for streams), within `lowest_latency_buffer`.
    case latencyBased = "latency-based-routing"
    /// Lowest tokens used this minute among deployments with rpm/tpm capacity left.
    case usageBased = "usage-based-routing-v2"
    /// Cheapest price per token among the group's deployments.
    case costBased = "cost-based-routing"

    /// A strategy by its config name; LiteLLM's older `usage-based-routing` means the same as v2 here.
    public init?(configName: String) {
        if configName == "usage-based-routing" {
            self = .usageBased
            return
        }
        self.init(rawValue: configName)
    }
}
