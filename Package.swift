// swift-tools-version: 6.1
import PackageDescription

// GATEWAY_FUZZ=1 (scripts/fuzz.sh): our targets compile with libFuzzer's coverage and FUZZING, the dependencies as
// they are, so the fuzzers reuse the debug build's dependencies instead of building all of them again instrumented.
let fuzzing = Context.environment["GATEWAY_FUZZ"] == "1"
// GATEWAY_TSAN=1 (scripts/tsan.sh): swift-otel 1.6.0 does not compile with -sanitize=thread on Swift 6.3 (a
// "sending 'logger' risks causing data races" error in its batch processors that the plain and release builds do not
// raise), so the TSan build leaves the OTLP exporter out (NO_OTEL); the request path's spans are built and tested.
let sanitizing = Context.environment["GATEWAY_TSAN"] == "1"

let swiftSettings: [SwiftSetting] =
    [.enableUpcomingFeature("ExistentialAny")]
    + (fuzzing ? [.define("FUZZING"), .unsafeFlags(["-sanitize=fuzzer"])] : [])
let fuzzerLink: [LinkerSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []

let package = Package(
    name: "llm-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "proxy", targets: ["ProxyCLI"]),
        .executable(name: "mock-azure", targets: ["MockAzureCLI"]),
        .executable(name: "conformance", targets: ["ConformanceCLI"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "MockAzure", targets: ["MockAzure"]),
        .library(name: "Proxy", targets: ["Proxy"]),
        .library(name: "Conformance", targets: ["Conformance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC trait adds grpc-swift and its transport to every build kind (debug, release,
        // TSan), minutes each; an OpenTelemetry collector, Jaeger, Tempo and Langfuse all take OTLP/HTTP.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // OpenAI/Azure wire types, JSON with key order and number text kept, SSE codec. Depends on nothing of ours.
        .target(
            name: "Wire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MockAzure",
            dependencies: [
                "Wire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Proxy",
            dependencies: [
                "Wire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ] + (sanitizing ? [] : [.product(name: "OTel", package: "swift-otel")]),
            resources: [.copy("Pricing/prices.json"), .copy("UI/Templates"), .copy("UI/Static")],
            swiftSettings: swiftSettings + (sanitizing ? [.define("NO_OTEL")] : [])
        ),
        .target(
            name: "Conformance",
            dependencies: [
                "Wire",
                "MockAzure",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Schemas/chat-completion.schema.json"), .copy("Schemas/seed-proxy-response.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Wire",
                "MockAzure",
                "Proxy",
                "Conformance",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Executable targets are named apart from the libraries (`proxy` and `Proxy` collide on a case-insensitive
        // file system); the products keep the command names.
        .executableTarget(
            name: "ProxyCLI",
            dependencies: ["Proxy", "MockAzure", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CLI/proxy",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MockAzureCLI",
            dependencies: ["MockAzure", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CLI/mock-azure",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ConformanceCLI",
            dependencies: ["Conformance", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CLI/conformance",
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets (scripts/fuzz.sh builds them with GATEWAY_FUZZ=1); a normal build gives each a main that
        // replays corpus files, which CI runs over fuzz/corpus.
        .target(name: "CFuzzDriver", path: "Sources/Fuzz/CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver"],
            path: "Sources/Fuzz/FuzzSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fuzz-sse",
            dependencies: ["Wire", "FuzzSupport"],
            path: "Sources/Fuzz/fuzz-sse",
            swiftSettings: swiftSettings,
            linkerSettings: fuzzerLink
        ),
        .executableTarget(
            name: "fuzz-config",
            dependencies: ["Proxy", "FuzzSupport"],
            path: "Sources/Fuzz/fuzz-config",
            swiftSettings: swiftSettings,
            linkerSettings: fuzzerLink
        ),
        .executableTarget(
            name: "fuzz-fixtures",
            dependencies: ["MockAzure", "FuzzSupport"],
            path: "Sources/Fuzz/fuzz-fixtures",
            swiftSettings: swiftSettings,
            linkerSettings: fuzzerLink
        ),
        .testTarget(
            name: "WireTests",
            dependencies: ["Wire", .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy", "MockAzure", "TestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "Conformance", "TestSupport", "Proxy", "MockAzure",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MockAzureTests",
            dependencies: [
                "MockAzure", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
