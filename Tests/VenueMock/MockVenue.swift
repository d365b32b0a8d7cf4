import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A venue on 127.0.0.1 with an ephemeral port, for tests: every request is recorded and answered by the test's
/// script, which can also delay, cut a body short or close the connection.
public final class MockVenue: Sendable {
    /// A request as the venue saw it.
    public struct Request: Sendable {
        public let method: String
        /// Path and query, as sent.
        public let uri: String
        public let headers: [(String, String)]
        public let body: [UInt8]

        /// The path without the query.
        public var path: String { String(uri.prefix { $0 != "?" }) }
        /// The query string (after `?`), or empty.
        public var query: String { uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? "" }

        /// A header's value (names compared without case).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// What the venue does with a request.
    public enum Reply: Sendable {
        /// A complete response.
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8])
        /// The reply, after `milliseconds`.
        indirect case delayed(milliseconds: Int64, Reply)
        /// Headers saying `declaredLength` bytes, then only `body`, then the connection closes.
        case cutShort(status: Int, declaredLength: Int, body: [UInt8])
        /// The connection closes without a response.
        case close
        /// The body in `chunks` pieces, one every `milliseconds` (a venue that trickles).
        case trickle(status: Int, body: [UInt8], chunks: Int, milliseconds: Int64)

        /// A JSON body with status 200 (or another).
        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
            .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    private let channel: any Channel
    private let recorded = NIOLockedValueBox<[Request]>([])
    /// The port it listens on.
    public let port: Int

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests received so far, in order.
    public var requests: [Request] { recorded.withLockedValue { $0 } }

    /// Starts a venue answering with `script`.
    public init(_ script: @escaping @Sendable (Request) -> Reply) async throws {
        let recorded = self.recorded
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(script: script, record: { request in recorded.withLockedValue { $0.append(request) } }))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Stops listening.
    public func shutdown() async {
        try? await channel.close()
    }

    /// A port nothing listens on (bound, then closed).
    public static func closedPort() async throws -> Int {
        let venue = try await MockVenue { _ in .close }
        let port = venue.port
        await venue.shutdown()
        return port
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let script: @Sendable (Request) -> Reply
        let record: @Sendable (Request) -> Void
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(script: @escaping @Sendable (Request) -> Reply, record: @escaping @Sendable (Request) -> Void) {
            self.script = script
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = Request(
                    method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                    body: body)
                record(request)
                perform(script(request), context: context)
            }
        }

        func perform(_ reply: Reply, context: ChannelHandlerContext) {
            switch reply {
            case .delayed(let milliseconds, let inner):
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                    self.perform(inner, context: bound.value)
                }
            case .respond(let status, let headers, let bytes):
                var fields = HTTPHeaders(headers)
                fields.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
                let head = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .cutShort(let status, let declaredLength, let bytes):
                var fields = HTTPHeaders()
                fields.add(name: "Content-Length", value: String(declaredLength))
                let head = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                let closing = context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))))
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                closing.whenComplete { _ in bound.value.close(promise: nil) }
            case .close:
                context.close(promise: nil)
            case .trickle(let status, let bytes, let chunks, let milliseconds):
                var fields = HTTPHeaders()
                fields.add(name: "Content-Length", value: String(bytes.count))
                let head = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
                context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
                let size = max(1, (bytes.count + chunks - 1) / max(chunks, 1))
                let pieces = stride(from: 0, to: bytes.count, by: size).map {
                    Array(bytes[$0..<min($0 + size, bytes.count)])
                }
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                for (index, piece) in pieces.enumerated() {
                    context.eventLoop.scheduleTask(in: .milliseconds(milliseconds * Int64(index + 1))) {
                        let context = bound.value
                        context.writeAndFlush(
                            self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece)))), promise: nil)
                        if index == pieces.count - 1 {
                            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                        }
                    }
                }
            }
        }
    }
}
