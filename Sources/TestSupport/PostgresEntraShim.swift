import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Wire
import _CryptoExtras

/// Azure Database for PostgreSQL's Entra ID sign-in, in front of a local PostgreSQL: a client connects as an Entra
/// principal with an access token as its cleartext password (what Azure's flexible server asks for); the shim checks
/// the token with `check` (the tenant's signature, audience `ossrdbms-aad`, expiry) and the user name, then signs in
/// to the real server as its own user with SCRAM-SHA-256 and relays the connection from `AuthenticationOk` on.
/// Refused tokens get PostgreSQL's `28P01` error, as Azure answers them. Counts what it accepted and refused.
public final class PostgresEntraShim: Sendable {
    public struct Upstream: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String

        public init(host: String, port: Int, user: String, password: String, database: String) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
        }
    }

    public struct Counts: Sendable {
        /// Sign-ins accepted, and the distinct tokens they used.
        public var accepted = 0
        public var tokens: Set<String> = []
        public var refused = 0
    }

    let principal: String
    let upstream: Upstream
    let check: @Sendable (String) -> Bool
    let state = NIOLockedValueBox(Counts())
    let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    public var port: Int { server.channel.localAddress?.port ?? 0 }
    public var counts: Counts { state.withLockedValue { $0 } }

    /// Listens on a free port of 127.0.0.1; `principal` is the only user name it signs in.
    public init(principal: String, upstream: Upstream, check: @escaping @Sendable (String) -> Bool) async throws {
        self.principal = principal
        self.upstream = upstream
        self.check = check
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Serves connections until the task is cancelled.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { try? await self.serve(connection) }
                }
            }
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var client = MessageReader(inbound.makeAsyncIterator())
            var startup = try await client.startup()
            while startup.code == 80_877_103 || startup.code == 80_877_104 {  // SSLRequest, GSSENCRequest: no
                try await outbound.write(ByteBuffer(string: "N"))
                startup = try await client.startup()
            }
            try await outbound.write(Self.message("R", int32s: [3]))  // AuthenticationCleartextPassword
            let password = try await client.message()
            var body = password.body
            let token = body.readNullTerminatedString() ?? ""
            guard password.type == UInt8(ascii: "p"), startup.parameters["user"] == principal, check(token) else {
                state.withLockedValue { $0.refused += 1 }
                try await outbound.write(Self.authenticationFailed(startup.parameters["user"] ?? ""))
                return
            }
            state.withLockedValue { counts in
                counts.accepted += 1
                counts.tokens.insert(token)
            }
            let upstreamChannel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: upstream.host, port: upstream.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await upstreamChannel.executeThenClose { serverInbound, serverOutbound in
                var server = MessageReader(serverInbound.makeAsyncIterator())
                try await signIn(&server, serverOutbound, parameters: startup.parameters)
                // From AuthenticationOk on, both ways unchanged.
                let pending = server.drain()
                if pending.readableBytes > 0 { try await outbound.write(pending) }
                let leftover = client.drain()
                if leftover.readableBytes > 0 { try await serverOutbound.write(leftover) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { [server] in
                        var server = server
                        while let buffer = try await server.next() { try await outbound.write(buffer) }
                    }
                    while let buffer = try await client.next() { try await serverOutbound.write(buffer) }
                    group.cancelAll()
                }
            }
        }
    }

    /// Signs in to the real server as `upstream.user` (SCRAM-SHA-256 or cleartext), reading up to its
    /// AuthenticationOk, which stays unread for the client.
    func signIn(
        _ server: inout MessageReader,
        _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        parameters: [String: String]
    ) async throws {
        var startup = ByteBuffer()
        startup.writeInteger(Int32(196_608))
        var fields = parameters
        fields["user"] = upstream.user
        fields["database"] = upstream.database
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            startup.writeNullTerminatedString(name)
            startup.writeNullTerminatedString(value)
        }
        startup.writeInteger(UInt8(0))
        var framed = ByteBuffer()
        framed.writeInteger(Int32(startup.readableBytes + 4))
        framed.writeBuffer(&startup)
        try await outbound.write(framed)
        var scram: SCRAM?
        while true {
            let reply = try await server.peekMessage()
            guard reply.type == UInt8(ascii: "R") else { throw ShimError.upstream("unexpected message \(reply.type)") }
            var body = reply.body
            let code = body.readInteger(as: Int32.self) ?? -1
            switch code {
            case 0:
                return
            case 3:
                _ = try await server.message()
                var password = ByteBuffer()
                password.writeNullTerminatedString(upstream.password)
                try await outbound.write(Self.message("p", body: password))
            case 10:
                _ = try await server.message()
                let client = SCRAM(password: upstream.password)
                var initial = ByteBuffer()
                initial.writeNullTerminatedString("SCRAM-SHA-256")
                initial.writeInteger(Int32(client.firstMessage.utf8.count))
                initial.writeString(client.firstMessage)
                try await outbound.write(Self.message("p", body: initial))
                scram = client
            case 11:
                _ = try await server.message()
                guard let client = scram, let text = body.readString(length: body.readableBytes),
                    let final = try client.finalMessage(serverFirst: text)
                else { throw ShimError.upstream("SCRAM") }
                try await outbound.write(Self.message("p", body: ByteBuffer(string: final)))
            case 12:
                _ = try await server.message()
            default:
                throw ShimError.upstream("authentication method \(code) is not supported")
            }
        }
    }

    enum ShimError: Error {
        case upstream(String)
        case closed
    }

    static func message(_ type: Character, int32s: [Int32] = [], body: ByteBuffer? = nil) -> ByteBuffer {
        var payload = ByteBuffer()
        for value in int32s { payload.writeInteger(value) }
        if var body { payload.writeBuffer(&body) }
        var buffer = ByteBuffer()
        buffer.writeInteger(type.asciiValue ?? 0)
        buffer.writeInteger(Int32(payload.readableBytes + 4))
        buffer.writeBuffer(&payload)
        return buffer
    }

    /// PostgreSQL's refusal of a password, as Azure gives it for a bad token.
    static func authenticationFailed(_ user: String) -> ByteBuffer {
        var fields = ByteBuffer()
        for (code, value) in [
            ("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"),
            ("M", "password authentication failed for user \"\(user)\""),
        ] {
            fields.writeString(code)
            fields.writeNullTerminatedString(value)
        }
        fields.writeInteger(UInt8(0))
        return message("E", body: fields)
    }
}

/// Reads PostgreSQL's framing from an inbound stream: the untyped startup message, then typed messages.
struct MessageReader: @unchecked Sendable {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer = ByteBuffer()

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    mutating func fill(_ count: Int) async throws {
        while buffer.readableBytes < count {
            guard var more = try await iterator.next() else { throw PostgresEntraShim.ShimError.closed }
            buffer.writeBuffer(&more)
        }
    }

    mutating func startup() async throws -> (code: Int32, parameters: [String: String]) {
        try await fill(8)
        let length = Int(buffer.getInteger(at: buffer.readerIndex, as: Int32.self) ?? 0)
        try await fill(length)
        var body = buffer.readSlice(length: length)!
        body.moveReaderIndex(forwardBy: 4)
        let code = body.readInteger(as: Int32.self) ?? 0
        var parameters: [String: String] = [:]
        while let name = body.readNullTerminatedString(), !name.isEmpty, let value = body.readNullTerminatedString() {
            parameters[name] = value
        }
        return (code, parameters)
    }

    mutating func peekMessage() async throws -> (type: UInt8, body: ByteBuffer) {
        try await fill(5)
        let length = Int(buffer.getInteger(at: buffer.readerIndex + 1, as: Int32.self) ?? 0)
        try await fill(1 + length)
        let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) ?? 0
        return (type, buffer.getSlice(at: buffer.readerIndex + 5, length: length - 4) ?? ByteBuffer())
    }

    mutating func message() async throws -> (type: UInt8, body: ByteBuffer) {
        let message = try await peekMessage()
        buffer.moveReaderIndex(forwardBy: 1 + 4 + message.body.readableBytes)
        return message
    }

    /// What was read but not yet consumed.
    mutating func drain() -> ByteBuffer {
        defer { buffer.clear() }
        return buffer.slice()
    }

    mutating func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}

/// The client side of SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL runs it (empty user name, no channel binding).
struct SCRAM {
    let password: String
    let nonce = Data((0 ..< 18).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
    var firstBare: String { "n=,r=" + nonce }
    var firstMessage: String { "n,," + firstBare }

    func finalMessage(serverFirst: String) throws -> String? {
        var fields: [Character: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count > 2 {
            fields[part.first!] = String(part.dropFirst(2))
        }
        guard let serverNonce = fields["r"], serverNonce.hasPrefix(nonce), let saltText = fields["s"],
            let salt = Data(base64Encoded: saltText), let rounds = fields["i"].flatMap(Int.init)
        else { return nil }
        let salted = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(password.utf8),
            salt: salt,
            using: .sha256,
            outputByteCount: 32,
            unsafeUncheckedRounds: rounds
        )
        let clientKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Client Key".utf8), using: salted))
        let storedKey = SymmetricKey(data: Data(SHA256.hash(data: clientKey)))
        let withoutProof = "c=biws,r=" + serverNonce
        let authMessage = firstBare + "," + serverFirst + "," + withoutProof
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(authMessage.utf8), using: storedKey))
        let proof = Data(zip(clientKey, signature).map { $0 ^ $1 })
        return withoutProof + ",p=" + proof.base64EncodedString()
    }
}
