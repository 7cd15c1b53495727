/// Waits for a condition instead of for a fixed time: `condition` is checked every `interval` until it holds
/// (true is returned at once) or `timeout` passes (false). A test asserts the result, so a slow machine costs time
/// only when it needs it and a broken one still fails.
public func eventually(
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: interval)
    }
}
