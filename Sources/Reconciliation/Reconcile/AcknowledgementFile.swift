import Yams

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Edits an acknowledgements file the way its users keep it — in git, with comments — so an edit is a few added
/// lines: `recon ack` appends an entry at the end, `recon ack approve` adds `approved_by` below the entry's `by`.
/// Every other byte stays as it was. Each edit is checked by reading the file back (the entries must be the old ones
/// plus the change, nothing else), recorded in the job's audit file, and only then moved into place.
package struct AcknowledgementFile: Sendable {
    /// The file.
    package let path: String
    /// Its name in messages.
    package let displayPath: String

    /// Creates an editor of the file at `path`.
    package init(path: String, displayPath: String? = nil) {
        self.path = path
        self.displayPath = displayPath ?? path
    }

    /// Appends an acknowledgement (creating the file when it does not exist), records it in `audit`, and returns it.
    @discardableResult
    package func add(
        key: BalanceKey, difference: Amount, within: Amount? = nil, reason: String, by: String, expires: String? = nil,
        runID: String? = nil, audit: AuditLog? = nil, time: String
    ) throws(ReconciliationError) -> Acknowledgement {
        let reason = reason.trimmingWhitespace
        let by = by.trimmingSpaces
        guard !reason.isEmpty else { throw usage("--reason must say why the difference is expected") }
        guard !by.isEmpty else { throw usage("--by must name who acknowledges it") }
        if let problem = Acknowledgements.nameProblem(by) { throw usage("--by: \(problem)") }
        if let expires, !isCalendarDate(expires) {
            throw usage("--expires: expected a date YYYY-MM-DD, got '\(expires)'")
        }
        return try edit(audit: audit) { text, before throws(ReconciliationError) in
            if let waiting = before.first(where: {
                $0.key == key && $0.difference == difference && $0.approvedBy == nil
            }) {
                throw problem(
                    "\(key) difference \(difference) is acknowledged by \(waiting.by) already, waiting for approval at "
                        + "line \(waiting.location.line); nothing was changed")
            }
            // The natural empty list `[]` gives way to the first entry.
            var text = text
            if before.isEmpty {
                text = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                    .filter { String($0).trimmingSpaces != "[]" }.joined(
                        separator: text.contains("\r\n") ? "\r\n" : "\n")
            }
            // Entries are indented like the file's first one (a list may be indented as a whole).
            let indent = String(
                repeating: " ", count: before.first.map { Self.dashIndent(text, entryLine: $0.location.line) } ?? 0)
            // ("\r\n" is one Character: a CRLF file ends with it, not with "\n".)
            var entry = text.isEmpty || text.hasSuffix("\n") || text.hasSuffix("\r\n") ? "" : "\n"
            if !text.isEmpty { entry += "\n" }
            entry += indent + "- key: {venue: \(Self.quoted(key.venue)), account: \(Self.quoted(key.account)), "
            entry += "asset: \(Self.quoted(key.asset))}\n"
            entry += indent + "  difference: \(Self.quoted(difference.description))\n"
            if let within { entry += indent + "  within: \(Self.quoted(within.description))\n" }
            entry += indent + "  reason: \(Self.quoted(reason))\n" + indent + "  by: \(Self.quoted(by))\n"
            if let expires { entry += indent + "  expires: \(expires)\n" }
            // A file written with CRLF line ends keeps them.
            let updated = text + (text.contains("\r\n") ? entry.replacingAll("\n", with: "\r\n") : entry)
            let after = try parse(updated, while: "appending")
            guard after.count == before.count + 1, zip(before, after).allSatisfy(Self.sameEntry),
                let added = after.last
            else {
                throw problem(
                    "appending an entry would change the others (is the file a flow list `[...]`? write it as a "
                        + "block list, one `- key: …` per entry)")
            }
            var record: [String: JSONValue] = [
                "type": .string("acknowledgement"), "action": .string("added"), "key": .string(key.description),
                "difference": .amount(difference), "within": .amount(within), "reason": .string(reason),
                "by": .string(by), "expires": .string(expires), "time": .string(time),
            ]
            if let runID { record["from_run"] = .string(runID) }
            return (updated, added, record)
        }
    }

    /// Fills `approved_by` of the key's acknowledgement waiting for approval (the one at `line` when several wait),
    /// records the approval in `audit`, and returns the approved acknowledgement. The approver must not be its author.
    @discardableResult
    package func approve(
        key: BalanceKey, by approver: String, line: Int? = nil, audit: AuditLog? = nil, time: String
    ) throws(ReconciliationError) -> Acknowledgement {
        let approver = approver.trimmingSpaces
        guard !approver.isEmpty else { throw usage("--by must name who approves") }
        if let problem = Acknowledgements.nameProblem(approver) { throw usage("--by: \(problem)") }
        return try edit(audit: audit) { text, before throws(ReconciliationError) in
            let waiting = before.enumerated().filter {
                $1.key == key && $1.approvedBy == nil && (line == nil || $1.location.line == line)
            }
            guard let (index, target) = waiting.first else {
                let what = line.map { "at line \($0) " } ?? ""
                throw problem("no acknowledgement of \(key) \(what)is waiting for approval")
            }
            guard waiting.count == 1 else {
                let lines = waiting.map { String($1.location.line) }.joined(separator: ", ")
                throw usage(
                    "\(waiting.count) acknowledgements of \(key) wait for approval (lines \(lines)); say which with --line"
                )
            }
            guard !Acknowledgement.samePerson(approver, target.by) else {
                throw usage(
                    "\(approver) wrote this acknowledgement; four eyes means someone else approves it")
            }
            let updated = try Self.insertApproval(
                approver, into: text, entryLine: target.location.line, keyColumn: target.location.column,
                file: displayPath)
            let after = try parse(updated, while: "approving")
            guard after.count == before.count,
                zip(before, after).enumerated().allSatisfy({ $0 == index || Self.sameEntry($1.0, $1.1) }),
                after[index].approvedBy == approver, Self.sameEntry(after[index], target, ignoringApproval: true)
            else {
                throw problem("adding `approved_by` would change other entries; add it by hand")
            }
            // The whole entry as approved, so the audit file says exactly what the approver agreed to.
            let record: [String: JSONValue] = [
                "type": .string("acknowledgement"), "action": .string("approved"), "key": .string(key.description),
                "difference": .amount(target.difference), "within": .amount(target.within),
                "reason": .string(target.reason), "by": .string(target.by), "expires": .string(target.expires),
                "approved_by": .string(approver), "time": .string(time),
            ]
            return (updated, after[index], record)
        }
    }

    /// Reads the file under a lock on its directory, applies `change`, writes the result beside it, records the
    /// change in the audit file, then renames it into place.
    private func edit(
        audit: AuditLog?,
        _ change: (String, [Acknowledgement]) throws(ReconciliationError) -> (
            String, Acknowledgement, [String: JSONValue]
        )
    ) throws(ReconciliationError) -> Acknowledgement {
        // A symbolic link is followed: the file it names is the one edited (and locked, and replaced).
        var path = self.path
        if let resolved = realpath(path, nil) {
            path = String(cString: resolved)
            free(resolved)
        } else {
            // A link to a file not there yet: the edit creates the file it names, and keeps the link.
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &target, Int(PATH_MAX))
            if count > 0 {
                let named = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                path =
                    named.hasPrefix("/") ? named : PathResolver(currentDirectory: "/").directory(of: path) + "/" + named
            }
        }
        let directory = PathResolver(currentDirectory: "/").directory(of: path)
        let lock = open(directory, O_RDONLY | O_CLOEXEC)
        guard lock >= 0 else { throw problem("cannot open its directory: \(systemErrorMessage(errno))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw problem("cannot lock its directory: \(systemErrorMessage(errno))") }
        }
        var text = ""
        var mode: mode_t = 0o644
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw problem("not a regular file; nothing was changed") }
            // Read-only means read-only, even to a user the system would let write it.
            guard info.st_mode & 0o222 != 0 else { throw problem("the file is read-only; nothing was changed") }
            mode = info.st_mode & 0o7777
            let source = try FileByteSource(path: path, displayPath: displayPath)
            let bytes = try ReplayByteSource.readPrefix(source, count: Acknowledgements.maxFileBytes + 1)
            guard bytes.count <= Acknowledgements.maxFileBytes, let decoded = String(validating: bytes, as: UTF8.self)
            else { throw problem("not a UTF-8 file of at most \(Acknowledgements.maxFileBytes >> 20) MiB") }
            text = decoded
        }
        let before = try parse(text, while: "reading")
        let (updated, result, changeRecord) = try change(text, before)
        var record = changeRecord
        let staged = path + ".recon-\(getpid())"
        let digest = try FileOutput.writeAtomically(Array(updated.utf8), to: staged, room: .ingest)
        defer { unlink(staged) }
        // The edited file keeps the original's permissions (a private file stays private).
        guard chmod(staged, mode) == 0 else {
            throw problem("cannot keep the file's permissions: \(systemErrorMessage(errno)); nothing was changed")
        }
        record["file"] = .string(displayPath)
        record["sha256"] = .string(digest)
        _ = try audit?.append([record])
        guard rename(staged, path) == 0 else {
            throw problem("cannot move the edited file into place: \(systemErrorMessage(errno))")
        }
        FileOutput.syncDirectory(directory)
        return result
    }

    private func parse(_ text: String, while doing: String) throws(ReconciliationError) -> [Acknowledgement] {
        do {
            return try Acknowledgements.parse(text, file: displayPath)
        } catch {
            throw ReconciliationError(
                .ingest, "\(doing) the acknowledgements: \(error.message); nothing was changed", at: error.location)
        }
    }

    /// A problem with the file or its state (exit 2); usage errors are ``usage(_:)``'s (exit 64).
    private func problem(_ message: String) -> ReconciliationError {
        ReconciliationError(.ingest, message, at: SourceLocation(file: displayPath))
    }

    private func usage(_ message: String) -> ReconciliationError {
        ReconciliationError(.usage, message)
    }

    /// Two entries say the same (their place in the file aside).
    static func sameEntry(_ lhs: Acknowledgement, _ rhs: Acknowledgement) -> Bool {
        sameEntry(lhs, rhs, ignoringApproval: false)
    }

    static func sameEntry(_ lhs: Acknowledgement, _ rhs: Acknowledgement, ignoringApproval: Bool) -> Bool {
        lhs.key == rhs.key && lhs.difference.isIdentical(to: rhs.difference) && lhs.within == rhs.within
            && lhs.reason == rhs.reason && lhs.by == rhs.by && lhs.expires == rhs.expires
            && (ignoringApproval || lhs.approvedBy == rhs.approvedBy)
    }

    /// The text with `approved_by: "NAME"` added to the entry whose first key is at `entryLine`, `keyColumn`: on a
    /// line of its own after the entry's `by:` line, at the same indentation (or replacing an empty `approved_by:`
    /// line). An entry written in flow style (`{key: …, by: …}`) is refused: it cannot take a line without being
    /// rewritten.
    static func insertApproval(_ approver: String, into text: String, entryLine: Int, keyColumn: Int, file: String)
        throws(ReconciliationError) -> String
    {
        // "\r\n" is one Character: split on both line ends, and join with the file's own.
        let newline = text.contains("\r\n") ? "\r\n" : "\n"
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
        let start = entryLine - 1
        guard start >= 0, start < lines.count else {
            throw ReconciliationError(.ingest, "entry not found", at: SourceLocation(file: file, line: entryLine))
        }
        // The entry's keys sit at `keyColumn`; its lines run until a line indented less (blank lines and comments
        // belong to it).
        let keyIndent = keyColumn - 1
        func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        var end = start + 1
        while end < lines.count {
            let trimmed = lines[end].trimmingSpaces
            if !trimmed.isEmpty && !trimmed.hasPrefix("#") && indentation(lines[end]) < keyIndent { break }
            end += 1
        }
        /// The line whose key, at the entry's key column, is `name` (`name:` or `name :`).
        func keyLine(_ name: String) -> Int? {
            (start..<end).first { index in
                let line = lines[index]
                guard line.count > keyIndent, index == start || indentation(line) == keyIndent else { return false }
                let body = line.dropFirst(keyIndent)
                guard body.hasPrefix(name) else { return false }
                return body.dropFirst(name.count).drop { $0 == " " }.hasPrefix(":")
            }
        }
        guard let byLine = keyLine("by") else {
            throw ReconciliationError(
                .ingest, "this entry is written in flow style (`{…}`); add `approved_by:` by hand",
                at: SourceLocation(file: file, line: entryLine))
        }
        let approval = String(repeating: " ", count: keyIndent) + "approved_by: " + quoted(approver)
        if let existing = keyLine("approved_by") {
            var value = lines[existing].split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""
            if let comment = value.firstIndex(of: "#") { value = String(value[..<comment]) }
            let empty = ["", "~", "null", "\"\"", "''", "\"null\"", "'null'", "\"~\"", "'~'"]
            guard empty.contains(value.trimmingSpaces) else {
                throw ReconciliationError(
                    .ingest, "this entry has an `approved_by:` already",
                    at: SourceLocation(file: file, line: existing + 1))
            }
            lines[existing] = approval
        } else {
            lines.insert(approval, at: byLine + 1)
        }
        return lines.joined(separator: newline)
    }

    /// The column of the `-` that starts the entry whose first key is on `entryLine` (on that line, or alone on a line
    /// above it), as a count of spaces.
    static func dashIndent(_ text: String, entryLine: Int) -> Int {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var index = min(entryLine - 1, lines.count - 1)
        while index >= 0 {
            let line = lines[index]
            let indent = line.prefix { $0 == " " }.count
            if line.dropFirst(indent).hasPrefix("-") { return indent }
            index -= 1
        }
        return 0
    }

    /// A YAML double-quoted scalar: backslash, quote and control characters escaped, so any name or reason reads back
    /// exactly as given.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
                {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
