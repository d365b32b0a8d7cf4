#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file cannot be read, in the system's words (`No such file or directory`, `Permission denied`).
enum FileProblem {
    /// The reason opening `path` for reading fails, or what else is wrong with it.
    static func describe(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var facts = stat()
        if fstat(descriptor, &facts) == 0 && (facts.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return "it could not be read"
    }
}
