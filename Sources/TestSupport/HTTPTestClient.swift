@_exported import Conformance

/// Tests use the conformance runner's HTTP probe: one implementation of timed SSE reading.
public typealias TestHTTP = HTTPProbe
public typealias TestResponse = ObservedResponse
public typealias TestStream = ObservedStream
