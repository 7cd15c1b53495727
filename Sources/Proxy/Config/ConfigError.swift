import Wire

/// Why a config.yaml cannot be used: the file, the key path and what is wrong.
public typealias ConfigError = LocatedError
