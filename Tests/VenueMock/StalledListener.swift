#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A port on 127.0.0.1 where connecting never completes: a listening socket that accepts nothing, its queue filled
/// by connections of its own, so the kernel drops every further SYN (a venue that does not answer at all).
public final class StalledListener: @unchecked Sendable {
    private var descriptors: [Int32] = []
    /// The port.
    public private(set) var port: Int = 0

    public init() {
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                _ = bind(server, raw, length)
                _ = listen(server, 0)
                _ = getsockname(server, raw, &length)
            }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptors.append(server)
        // Fill the accept queue: these connect (or wait to), and nothing ever accepts them.
        for _ in 0..<4 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    _ = connect(client, raw, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            descriptors.append(client)
        }
        usleep(100_000)
    }

    deinit {
        for descriptor in descriptors { close(descriptor) }
    }
}
