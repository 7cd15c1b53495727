import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct PostgresURLTests {
    @Test func urlParsing() throws {
        let configuration = try PostgresStore.configuration(
            url: "postgresql://litellm:p%40ss@mypg.postgres.database.azure.com:5432/postgres?sslmode=require"
        )
        #expect(configuration.host == "mypg.postgres.database.azure.com" && configuration.port == 5432)
        #expect(
            configuration.username == "litellm" && configuration.password == "p@ss"
                && configuration.database == "postgres"
        )
        #expect(throws: LocatedError.self) { try PostgresStore.configuration(url: "mysql://x") }
    }
}
