/// How many failures an address may have per window before `FailureThrottle` refuses it.
public struct FailureLimit: Sendable {
    /// Failures an address may have in one window.
    public var limit: Int
    public var window: Duration
    public var maximumAddresses = 10_000

    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }
}
