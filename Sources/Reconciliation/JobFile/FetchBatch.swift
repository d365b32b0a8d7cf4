#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A batch folder written by `recon fetch`: one folder of response pages per fetched input and `fetch.json`, the
/// record of every request. A run reads a fetched input from here like any file; what cannot be trusted (no batch,
/// a failed fetch, a batch of another day or job, a page changed since it was fetched) fails the input with a message
/// saying what to do, never reads it.
package enum FetchBatch {
    /// The batch's record of requests.
    package static let manifestName = "fetch.json"
    /// What `fetch.json` says it is.
    package static let formatTag = "recon-fetch-batch/1"

    /// A page file's name: `page-0001.json`.
    package static func pageName(_ number: Int) -> String {
        let digits = String(number)
        return "page-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".json"
    }

    /// Points every fetched input of `inputs` at its pages in `directory` (or at the reason it cannot be read), and
    /// sets its `taken_at` to when the fetch finished unless the job states one.
    static func resolve(
        _ inputs: inout [InputSpec], directory: String, job: String, asOf: String, paths: PathResolver,
        maxBytes: Int64
    ) {
        guard inputs.contains(where: { $0.fetch != nil }) else { return }
        let manifestPath = directory + "/" + manifestName
        let shown = paths.display(manifestPath)
        let again = "run `recon fetch` for \(asOf) (or `recon run --fetch`)"
        var manifest: JSONElement?
        var batchProblem: String?
        if access(manifestPath, F_OK) != 0 {
            batchProblem = "not fetched: there is no \(shown); \(again)"
        } else {
            do throws(ReconciliationError) {
                let source = try FileByteSource(path: manifestPath, displayPath: shown, maxBytes: 256 << 20)
                var parser = JSONStreamParser(source: source, displayPath: shown, maxValueBytes: 256 << 20)
                let document = try parser.document()
                if document["format"]?.text != formatTag {
                    batchProblem = "\(shown) is not a batch written by `recon fetch` (no format \(formatTag))"
                } else if document["job"]?.text != job {
                    batchProblem =
                        "\(shown) was fetched for job '\(document["job"]?.text ?? "?")', not '\(job)'; \(again)"
                } else if document["as_of"]?.text != asOf {
                    batchProblem =
                        "\(shown) was fetched for \(document["as_of"]?.text ?? "another day"), not \(asOf); \(again)"
                } else {
                    manifest = document
                }
            } catch {
                batchProblem = "\(shown) cannot be read: \(error.description); \(again)"
            }
        }
        for index in inputs.indices where inputs[index].fetch != nil {
            if let batchProblem {
                inputs[index].problem = batchProblem
                continue
            }
            let name = inputs[index].name
            guard let entry = manifest?["inputs"]?.elements.first(where: { $0["name"]?.text == name }) else {
                inputs[index].problem = "not fetched: \(shown) has no input '\(name)'; \(again)"
                continue
            }
            let recorded = entry["settings"]?.text ?? ""
            let current = settings(of: inputs[index])
            guard recorded == current else {
                inputs[index].problem =
                    "\(shown) holds '\(name)' fetched with other settings (\(recorded.isEmpty ? "none recorded" : recorded)); "
                    + "the job now says \(current); \(again)"
                continue
            }
            guard entry["status"]?.text == "fetched" else {
                let error = entry["error"]?.text ?? "no reason recorded"
                inputs[index].problem = "the fetch failed (\(shown)): \(error)"
                continue
            }
            var files: [InputFile] = []
            var problem: String?
            for file in entry["files"]?.elements ?? [] {
                guard let relative = file["path"]?.text, isSafeRelative(relative), let expected = file["sha256"]?.text
                else {
                    problem = "\(shown) lists a page without a safe path and a sha256"
                    break
                }
                let path = directory + "/" + relative
                let display = paths.display(path)
                guard let digest = sha256(of: path, display: display, maxBytes: maxBytes) else {
                    problem = "\(display) is missing or unreadable; \(again)"
                    break
                }
                guard digest == expected else {
                    problem =
                        "\(display) changed since it was fetched (sha256 \(digest), \(shown) recorded \(expected)); "
                        + "fetch again rather than edit a fetched page"
                    break
                }
                files.append(InputFile(path: path, displayPath: display))
            }
            if problem == nil && files.isEmpty { problem = "\(shown) lists no page for '\(name)'; \(again)" }
            if let problem {
                inputs[index].problem = problem
                continue
            }
            inputs[index].files = files
            if inputs[index].options.takenAt == nil { inputs[index].options.takenAt = entry["taken_at"]?.text }
        }
    }

    /// What decides the answer an input's fetch saved: its API, where it was asked, with which credentials, for
    /// which address and read with which format. A batch saved under other settings is not this input's.
    package static func settings(of input: InputSpec) -> String {
        guard let fetch = input.fetch else { return "" }
        var parts = [
            "api=\(fetch.api.rawValue)", "base_url=\(fetch.baseURL)", "format=\(input.format ?? "")",
            "credentials=\(fetch.credentials?.description ?? "none")",
        ]
        if let address = fetch.address { parts.append("address=\(address)/\(fetch.subaccount ?? 0)") }
        if fetch.api == .coinbaseAdvanced { parts.append("page_size=\(fetch.pageSize)") }
        return parts.joined(separator: " ")
    }

    /// A relative path inside the batch: no `..`, no absolute path, no empty part.
    static func isSafeRelative(_ path: String) -> Bool {
        !path.hasPrefix("/")
            && !path.split(separator: "/", omittingEmptySubsequences: false).contains { part in
                part.isEmpty || part == "." || part == ".."
            }
    }

    /// The SHA-256 of a file, or `nil` when it cannot be read.
    static func sha256(of path: String, display: String, maxBytes: Int64) -> String? {
        guard let source = try? FileByteSource(path: path, displayPath: display, maxBytes: maxBytes) else {
            return nil
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            guard let count = try? source.read(into: buffer) else { return nil }
            if count == 0 { break }
        }
        return try? source.finishDigest()
    }
}
