import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Reconciliation

/// What came back for one request.
struct VenueResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Why an attempt got no complete response. Every case is retryable for an idempotent request except `tooLarge`
/// and `refused`.
enum TransportProblem: Error, Sendable {
    /// Connecting took longer than `connect_timeout`.
    case connectTimeout
    /// The response did not arrive within `timeout`.
    case timeout
    /// The connection failed or broke (refused, reset, closed before the body ended).
    case connection(String)
    /// The body passed `max_response_bytes`.
    case tooLarge(Int64)
    /// Not worth trying again (a TLS certificate refused, a URL the client cannot use).
    case refused(String)

    var retryable: Bool {
        switch self {
        case .connectTimeout, .timeout, .connection: true
        case .tooLarge, .refused: false
        }
    }

    var message: String {
        switch self {
        case .connectTimeout: "could not connect within connect_timeout"
        case .timeout: "no complete response within timeout"
        case .connection(let why): "connection failed: \(why)"
        case .tooLarge(let cap): "the response is larger than max_response_bytes (\(cap) bytes)"
        case .refused(let why): why
        }
    }
}

/// Sends a request and reads the whole response, within a time limit and a size cap.
protocol HTTPTransport: Sendable {
    func send(_ request: VenueRequest, timeoutMilliseconds: Int64, maxBytes: Int64) async throws(TransportProblem)
        -> VenueResponse
    func shutdown() async
}

/// The transport over async-http-client: no redirects (a redirect would carry signed headers elsewhere), no
/// decompression (the bytes saved are the bytes the venue sent), connect and read timeouts from the input's settings.
final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient

    init(connectTimeoutMilliseconds: Int64, readTimeoutMilliseconds: Int64) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(
                connect: .milliseconds(connectTimeoutMilliseconds), read: .milliseconds(readTimeoutMilliseconds)))
        configuration.decompression = .disabled
        // A refused connection fails the attempt at once; the input's own retry policy (logged, recorded, bounded by
        // its deadline) decides what comes next, not a second schedule hidden in the client.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(
        _ request: VenueRequest, timeoutMilliseconds: Int64, maxBytes: Int64
    ) async throws(TransportProblem) -> VenueResponse {
        // The client's own timeout covers the response's head and its read timeout each quiet spell; a body that
        // trickles in must not outlast `timeout` either, so the whole exchange races a timer.
        do {
            return try await withThrowingTaskGroup(of: VenueResponse?.self) { group in
                group.addTask {
                    try await self.exchange(request, timeoutMilliseconds: timeoutMilliseconds, maxBytes: maxBytes)
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(timeoutMilliseconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else { throw TransportProblem.timeout }
                return response
            }
        } catch {
            throw Self.problem(error)
        }
    }

    private func exchange(_ request: VenueRequest, timeoutMilliseconds: Int64, maxBytes: Int64) async throws
        -> VenueResponse
    {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response = try await client.execute(outgoing, timeout: .milliseconds(timeoutMilliseconds))
        var body: [UInt8] = []
        let declared = response.headers.first(name: "content-length").flatMap(Int64.init)
        if let declared, declared > maxBytes { throw TransportProblem.tooLarge(maxBytes) }
        for try await chunk in response.body {
            guard Int64(body.count + chunk.readableBytes) <= maxBytes else { throw TransportProblem.tooLarge(maxBytes) }
            body += chunk.readableBytesView
        }
        // A body shorter than its Content-Length is a broken connection, whatever the client made of it.
        if let declared, declared != Int64(body.count) {
            throw TransportProblem.connection(
                "the body ended after \(body.count) of \(declared) bytes (Content-Length)")
        }
        return VenueResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// What an error of the client (or of the race) means for a retry.
    static func problem(_ error: any Error) -> TransportProblem {
        if let problem = error as? TransportProblem { return problem }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return .connectTimeout
            case .readTimeout, .deadlineExceeded: return .timeout
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return .connection("the venue closed the connection before the response ended")
            case .invalidURL, .emptyHost, .emptyScheme: return .refused("the client cannot use the URL: \(error)")
            default: return .connection(String(describing: error))
            }
        }
        let text = String(describing: error)
        let type = String(describing: Swift.type(of: error))
        // A certificate the client refuses is not a passing fault: never retried.
        if type.contains("SSL") || type.contains("TLS") || type.contains("Certificate") {
            return .refused("TLS failed: \(text)")
        }
        if type.contains("ChannelError"), text.contains("connectTimeout") { return .connectTimeout }
        if type.contains("NIOConnectionError") { return .connection("could not connect (refused or unreachable)") }
        if type.contains("HTTPParserError") {
            return .connection("the venue closed the connection before the response ended")
        }
        if text.contains("SSL") || text.contains("TLS") || text.contains("certificate") {
            return .refused("TLS failed: \(text)")
        }
        if text.lowercased().contains("refused") { return .connection("connection refused") }
        if text.lowercased().contains("reset") { return .connection("connection reset by the venue") }
        return .connection(text)
    }

    func shutdown() async {
        try? await client.shutdown()
    }
}
