/// Every check, in run order.
public enum ConformanceCatalog {
    public static var all: [ConformanceCheck] {
        api + stream + errors + auth + azure + logging + router + entra + responses + passThrough + cache
            + guardrails
    }
}
