import Wire

/// A fixture file that cannot be used. Start-up stops with it: a broken fixture is never skipped silently.
public typealias FixtureError = LocatedError
