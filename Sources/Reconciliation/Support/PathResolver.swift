#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lexical path handling: relative paths resolved against a base, and paths shown relative to the working directory
/// so messages and reports read the way the user typed them.
package struct PathResolver: Sendable {
    /// The working directory (absolute).
    let currentDirectory: String

    package init(currentDirectory: String) {
        self.currentDirectory = Self.normalize(currentDirectory)
    }

    /// `path` made absolute against `base` (the working directory by default) and normalized.
    package func absolute(_ path: String, from base: String? = nil) -> String {
        if path.hasPrefix("/") { return Self.normalize(path) }
        return Self.normalize((base ?? currentDirectory) + "/" + path)
    }

    /// The directory holding `path`.
    func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return currentDirectory }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The path relative to the working directory when inside it, else absolute.
    package func display(_ absolutePath: String) -> String {
        let prefix = currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/"
        if absolutePath.hasPrefix(prefix) { return String(absolutePath.dropFirst(prefix.count)) }
        return absolutePath
    }

    /// Removes `.`, `..` and repeated slashes without touching the file system.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// The canonical absolute path of an existing file (symbolic links resolved), or `path` made absolute against the
/// working directory when it does not exist: how the repository names an audit file, whatever path a job used.
func absolutePath(_ path: String) -> String {
    if let resolved = realpath(path, nil) {
        defer { free(resolved) }
        return String(
            decoding: UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) },
            as: UTF8.self)
    }
    if path.hasPrefix("/") { return PathResolver.normalize(path) }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let directory =
        getcwd(&buffer, buffer.count) != nil
        ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/"
    return PathResolver.normalize(directory + "/" + path)
}
