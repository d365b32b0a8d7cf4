import Crypto
import Foundation
package import Reconciliation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one input's fetch came to.
package struct InputFetchResult: Sendable {
    /// The input's name (its folder in the batch).
    package var name: String
    /// The API.
    package var api: VenueAPI
    /// Why it failed, naming the venue and the request; `nil` when every page was saved.
    package var failure: String?
    /// Pages saved.
    package var pages: Int
    /// Bytes saved.
    package var bytes: Int64
    /// Attempts beyond the first, over every page.
    package var retries: Int
    /// From the first request to the last byte, in milliseconds.
    package var durationMilliseconds: Int64
    /// Whether the input was refused before any request, leaving an earlier fetch's pages and record in place.
    package var keepsEarlier = false
    /// The input's record in `fetch.json`.
    var record: JSONValue
}

/// What `recon fetch` did.
package struct FetchOutcome: Sendable {
    /// Per fetched input, in job order.
    package var inputs: [InputFetchResult]
    /// The batch folder.
    package var directory: String
    /// Why `fetch.json` could not be written, if it could not (then nothing of this fetch can be used).
    package var manifestFailure: String?

    /// Whether every input was fetched and recorded.
    package var succeeded: Bool { manifestFailure == nil && inputs.allSatisfy { $0.failure == nil } }
}

/// Fetches the statement inputs of a job that have a `fetch:` block, concurrently, into the job's batch folder:
/// `<input>/page-0001.json …` byte for byte as the venue sent them, and `fetch.json`, the record of every request.
/// One input failing (after its retries) fails that input only.
package struct Fetcher: Sendable {
    /// Where `env:` credentials are read.
    package var environment: [String: String]
    /// Time (injected by tests).
    package var clock: any FetchClock = SystemFetchClock()
    /// The jittered part of a backoff: a uniform draw from 0 to its argument (injected by tests).
    package var jitter: @Sendable (Int64) -> Int64 = { ceiling in ceiling > 0 ? Int64.random(in: 0...ceiling) : 0 }
    /// Progress lines (retries, waits), for stderr.
    package var log: @Sendable (String) -> Void = { _ in }
    /// Whether to fetch even when now is further from the cutoff than the input's `max_snapshot_skew` (a balance API
    /// answers as of now: by default such a fetch is refused rather than saved as the cutoff's balances).
    package var allowsSkew = false
    /// The transport for an input (tests may count or wrap it).
    var transport: @Sendable (FetchSpec) -> any HTTPTransport = { spec in
        AsyncHTTPTransport(
            connectTimeoutMilliseconds: spec.connectTimeoutMilliseconds,
            readTimeoutMilliseconds: spec.timeoutMilliseconds)
    }

    /// Creates a fetcher.
    package init(environment: [String: String]) {
        self.environment = environment
    }

    /// Fetches `only` (input names; every fetched input when `nil`) into the job's batch folder.
    package func fetch(_ job: JobSpec, only: [String]? = nil) async -> FetchOutcome {
        let directory = job.fetchDirectory ?? ""
        let inputs = job.statements.filter { input in
            input.fetch != nil && (only.map { $0.contains(input.name) } ?? true)
        }
        var outcome = FetchOutcome(inputs: [], directory: directory)
        do throws(ReconciliationError) {
            try FileOutput.makeDirectory(directory)
        } catch {
            outcome.manifestFailure = "cannot create the batch folder: \(error.description)"
            return outcome
        }
        // One bucket per API, place and credentials; one nonce counter per credentials.
        var buckets: [String: TokenBucket] = [:]
        var nonces: [String: NonceSource] = [:]
        for input in inputs {
            guard let fetch = input.fetch else { continue }
            if buckets[fetch.limiterKey] == nil {
                buckets[fetch.limiterKey] = TokenBucket(fetch.rateLimit, clock: clock)
            }
            let credentialKey = fetch.credentials?.description ?? "-"
            if nonces[credentialKey] == nil { nonces[credentialKey] = NonceSource() }
        }
        let results = await withTaskGroup(of: (Int, InputFetchResult).self) { group in
            for (position, input) in inputs.enumerated() {
                guard let fetch = input.fetch, let bucket = buckets[fetch.limiterKey],
                    let nonce = nonces[fetch.credentials?.description ?? "-"]
                else { continue }
                group.addTask {
                    (position, await fetchInput(input, fetch, bucket: bucket, nonces: nonce, directory: directory))
                }
            }
            var collected: [(Int, InputFetchResult)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        outcome.inputs = results
        outcome.manifestFailure = writeManifest(job: job, results: results, directory: directory)
        return outcome
    }

    // MARK: - One input

    private func fetchInput(
        _ input: InputSpec, _ spec: FetchSpec, bucket: TokenBucket, nonces: NonceSource, directory: String
    ) async -> InputFetchResult {
        let started = clock.monotonicMilliseconds()
        let startedWall = clock.wallMilliseconds()
        let label = "\(input.name) (\(spec.api.rawValue))"
        var result = InputFetchResult(
            name: input.name, api: spec.api, failure: nil, pages: 0, bytes: 0, retries: 0, durationMilliseconds: 0,
            record: .null)
        var requests: [JSONValue] = []
        var files: [JSONValue] = []
        let partial = directory + "/.\(input.name).partial"
        let final = directory + "/" + input.name
        var credentials: Credentials?
        let transport = transport(spec)
        do throws(FetchFailure) {
            do throws(FetchFailure) {
                try checkSkew(input)
                if let source = spec.credentials {
                    credentials = try Credentials.load(source, api: spec.api, environment: environment)
                }
            } catch {
                var refused = error
                refused.beforeAnyRequest = true
                throw refused
            }
            removeTree(partial)
            guard mkdir(partial, 0o755) == 0 else {
                throw FetchFailure("cannot create \(partial): \(String(cString: strerror(errno)))")
            }
            let deadline = started + spec.deadlineMilliseconds
            var cursor: String?
            var seenCursors = Set<String>()
            var page = 0
            while true {
                page += 1
                guard page <= spec.maxPages else {
                    throw FetchFailure(
                        "more than max_pages (\(spec.maxPages)) pages; the venue keeps paging (last: "
                            + "\(requests.last.flatMap(Self.url) ?? "?"))")
                }
                let fetched = try await fetchPage(
                    spec, page: page, cursor: cursor, credentials: credentials, transport: transport, bucket: bucket,
                    nonces: nonces, deadline: deadline, label: label)
                result.retries += fetched.attempts - 1
                let name = FetchBatch.pageName(page)
                let digest = SHA256.hash(data: Data(fetched.response.body)).map { String(format: "%02x", $0) }.joined()
                do throws(ReconciliationError) {
                    try FileOutput.writeAtomically(fetched.response.body, to: partial + "/" + name, room: .run)
                } catch {
                    throw FetchFailure("cannot save page \(page): \(error.description)")
                }
                result.pages = page
                result.bytes += Int64(fetched.response.body.count)
                files.append(
                    .object([
                        "path": .string(input.name + "/" + name), "bytes": .integer(fetched.response.body.count),
                        "sha256": .string(digest),
                    ]))
                var request = fetched.record
                request["file"] = .string(input.name + "/" + name)
                request["sha256"] = .string(digest)
                requests.append(.object(request))
                guard let next = fetched.next else { break }
                guard seenCursors.insert(next).inserted else {
                    throw FetchFailure(
                        "page \(page) (\(fetched.request.recordedURL)) returned cursor '\(next)' again: the venue is "
                            + "paging in a loop")
                }
                cursor = next
            }
            // Replace the previous pages only once every page of this fetch is saved.
            let old = directory + "/.\(input.name).old"
            removeTree(old)
            if access(final, F_OK) == 0, rename(final, old) != 0 {
                throw FetchFailure("cannot replace \(final): \(String(cString: strerror(errno)))")
            }
            guard rename(partial, final) == 0 else {
                throw FetchFailure("cannot move the pages into \(final): \(String(cString: strerror(errno)))")
            }
            removeTree(old)
        } catch {
            let message = credentials?.redact(error.message) ?? error.message
            result.failure = "\(label): \(message)"
            // The request that failed is recorded too, with every attempt it made.
            if let request = error.request { requests.append(.object(request)) }
            files = []
            removeTree(partial)
            if error.beforeAnyRequest {
                // Refused before asking the venue (too far from the cutoff, credentials missing): nothing was fetched,
                // so nothing changes — the pages and record of an earlier fetch stay as they were.
                result.keepsEarlier = true
            } else {
                // A fetch that failed leaves no pages behind: a run must not read an earlier fetch as today's.
                removeTree(final)
            }
        }
        await transport.shutdown()
        let finishedWall = clock.wallMilliseconds()
        result.durationMilliseconds = clock.monotonicMilliseconds() - started
        var record: [String: JSONValue] = [
            "name": .string(input.name), "api": .string(spec.api.rawValue), "base_url": .string(spec.baseURL),
            "settings": .string(FetchBatch.settings(of: input)),
            "status": .string(result.failure == nil ? "fetched" : "failed"), "error": .string(result.failure),
            "started_at": .string(Self.iso8601(startedWall)), "finished_at": .string(Self.iso8601(finishedWall)),
            "files": .array(files), "requests": .array(requests),
        ]
        // The balances are as of the moment the venue answered: the run compares this with the cutoff.
        if result.failure == nil { record["taken_at"] = .string(Self.iso8601(finishedWall)) }
        result.record = .object(record)
        return result
    }

    /// A balance API answers as of now: refuse to save its answer as the balances of a cutoff further away than the
    /// input's `max_snapshot_skew`, unless told to (the run then says on every line when they were taken).
    private func checkSkew(_ input: InputSpec) throws(FetchFailure) {
        guard !allowsSkew, let cutoff = input.options.cutoff else { return }
        let distance = clock.wallMilliseconds() - cutoff.instantMilliseconds
        let allowed = input.options.maxSnapshotSkewSeconds * 1000
        guard abs(distance) > allowed else { return }
        let side = distance > 0 ? "ago" : "from now"
        throw FetchFailure(
            "the cutoff (\(cutoff.instantISO8601)) is \(Self.duration(abs(distance))) \(side), more than max_snapshot_skew "
                + "(\(Self.duration(allowed))): the venue would answer with balances as of now, not as of the cutoff. "
                + "Fetch at the cutoff, or pass --allow-skew to fetch anyway (the run then says on every line when the "
                + "balances were taken)")
    }

    /// Binance's request weight an IP may spend a minute.
    static let binanceWeightPerMinute: Double = 6000

    /// The URL of a recorded request.
    static func url(_ request: JSONValue) -> String? {
        guard case .object(let members) = request, case .string(let url)? = members["url"] else { return nil }
        return url
    }

    private struct FetchedPage {
        var request: VenueRequest
        var response: VenueResponse
        var attempts: Int
        var next: String?
        var record: [String: JSONValue]
    }

    /// One page, with retries: the rate limiter first, then the request, then the verdict.
    private func fetchPage(
        _ spec: FetchSpec, page: Int, cursor: String?, credentials: Credentials?, transport: any HTTPTransport,
        bucket: TokenBucket, nonces: NonceSource, deadline: Int64, label: String
    ) async throws(FetchFailure) -> FetchedPage {
        let policy = RetryPolicy(spec)
        let redact = { (text: String) in credentials?.redact(text) ?? text }
        var attempts: [JSONValue] = []
        var waitBefore: Int64 = 0
        var attempt = 0
        var lastURL = ""
        let requestedWall = clock.wallMilliseconds()
        // What fetch.json records of this page's request when it fails: the URL and every attempt.
        func failure(_ message: String) -> FetchFailure {
            var failed = FetchFailure(message)
            failed.request = [
                "page": .integer(page), "url": .string(lastURL), "attempts": .array(attempts),
                "requested_at": .string(Self.iso8601(requestedWall)), "error": .string(redact(message)),
            ]
            return failed
        }
        while true {
            attempt += 1
            do {
                waitBefore += try await bucket.acquire(deadline: deadline)
            } catch let late as TokenBucket.PastDeadline {
                throw failure(
                    "the rate limit (\(spec.rateLimit.burst) tokens, \(spec.rateLimit.perSecond) a second) would hold "
                        + "page \(page) for \(Self.duration(late.wait)), past the deadline "
                        + "(\(Self.duration(spec.deadlineMilliseconds)))")
            } catch {
                throw failure("cancelled")
            }
            let remaining = deadline - clock.monotonicMilliseconds()
            guard remaining > 0 else {
                throw failure(
                    "the deadline (\(Self.duration(spec.deadlineMilliseconds))) passed before page \(page) was fetched")
            }
            // Kraken checks that nonces increase per key: requests on one key go one at a time, nonce to answer.
            let serialized = spec.api == .kraken
            if serialized { await nonces.enter() }
            let wall = clock.wallMilliseconds()
            let request: VenueRequest
            do throws(FetchFailure) {
                request = try VenueRequests.make(
                    spec, credentials: credentials, cursor: cursor, wallTime: wall,
                    nonce: await nonces.next(wallMilliseconds: wall))
            } catch {
                if serialized { await nonces.leave() }
                throw error
            }
            lastURL = request.recordedURL
            let sent = clock.monotonicMilliseconds()
            var attemptRecord: [String: JSONValue] = [
                "attempt": .integer(attempt), "waited_ms": .integer(waitBefore),
            ]
            waitBefore = 0
            let verdict: Verdict
            var response: VenueResponse?
            do {
                let received = try await transport.send(
                    request, timeoutMilliseconds: min(spec.timeoutMilliseconds, remaining),
                    maxBytes: spec.maxResponseBytes)
                response = received
                if spec.api == .binance, let used = received.header("X-MBX-USED-WEIGHT-1M").flatMap(Double.init) {
                    // Binance's request weight is per IP: what others spent this minute is not ours to spend.
                    await bucket.observe(used: used, of: Self.binanceWeightPerMinute)
                }
                attemptRecord["status"] = .integer(received.status)
                attemptRecord["bytes"] = .integer(received.body.count)
                if let value = received.header("Retry-After") { attemptRecord["retry_after"] = .string(value) }
                verdict = judge(received, spec: spec, wall: clock.wallMilliseconds(), offset: Int(cursor ?? "0") ?? 0)
            } catch {
                attemptRecord["error"] = .string(redact(error.message))
                verdict = error.retryable ? .retry(error.message, after: nil) : .fail(error.message)
            }
            if serialized { await nonces.leave() }
            attemptRecord["duration_ms"] = .integer(clock.monotonicMilliseconds() - sent)
            attempts.append(.object(attemptRecord))
            let target = "\(request.method) \(request.recordedURL)"
            switch verdict {
            case .success(let next):
                guard let response else { throw FetchFailure("no response") }
                let record: [String: JSONValue] = [
                    "page": .integer(page), "method": .string(request.method), "url": .string(request.recordedURL),
                    "status": .integer(response.status), "attempts": .array(attempts),
                    "headers": .object(Self.recordedHeaders(response.headers)),
                    "bytes": .integer(response.body.count), "requested_at": .string(Self.iso8601(requestedWall)),
                    "received_at": .string(Self.iso8601(clock.wallMilliseconds())),
                ]
                return FetchedPage(request: request, response: response, attempts: attempt, next: next, record: record)
            case .fail(let reason):
                throw failure("\(target): \(reason) (not retried)")
            case .retry(let reason, let retryAfter):
                // A venue that asks every client to wait is asked about once: the inputs sharing its bucket wait too.
                if let retryAfter { await bucket.holdOff(milliseconds: retryAfter) }
                guard request.idempotent else {
                    throw failure("\(target): \(reason) (not idempotent: not retried)")
                }
                guard attempt <= policy.retries else {
                    throw failure(
                        "\(target): \(reason); gave up after \(attempt) attempt\(attempt == 1 ? "" : "s") (retries: "
                            + "\(policy.retries))")
                }
                let backoff = jitter(policy.ceiling(beforeRetry: attempt))
                let wait = max(backoff, retryAfter ?? 0)
                let left = deadline - clock.monotonicMilliseconds()
                guard wait < left else {
                    let asked = retryAfter.map { "the venue asks to wait \(Self.duration($0)) (Retry-After)" }
                    throw failure(
                        "\(target): \(reason); \(asked ?? "the next attempt would wait \(Self.duration(wait))"), past "
                            + "the deadline (\(Self.duration(spec.deadlineMilliseconds)))")
                }
                log(
                    redact(
                        "\(label): \(reason); retry \(attempt) of \(policy.retries) in \(Self.duration(wait))"
                            + (retryAfter != nil && wait == retryAfter ? " (Retry-After)" : "")))
                do {
                    try await clock.sleep(milliseconds: wait)
                } catch {
                    throw failure("cancelled")
                }
                waitBefore += wait
            }
        }
    }

    private enum Verdict {
        case success(next: String?)
        case retry(String, after: Int64?)
        case fail(String)
    }

    /// What a complete response means; `offset` is the Kraken Ledgers page's.
    private func judge(_ response: VenueResponse, spec: FetchSpec, wall: Int64, offset: Int) -> Verdict {
        let document = Self.json(response.body)
        let venueMessage = document.flatMap(Self.venueMessage).map { ": \(Self.clipped(Escaping.terminal($0)))" } ?? ""
        guard (200..<300).contains(response.status) else {
            let status = "HTTP \(response.status)\(venueMessage)"
            if response.status == 418 {
                return .fail("\(status); the venue has banned this IP for sending after a 429 (never retried)")
            }
            if RetryPolicy.retryableStatuses.contains(response.status) {
                let header = response.header("Retry-After")
                var after = RetryPolicy.retryAfter(
                    header, wallMilliseconds: wall, unitMilliseconds: spec.api == .dydx ? 1 : 1_000)
                // A Retry-After that cannot be read is not "retry at once" (after a 429 that risks a ban): it is taken
                // as the longest backoff.
                if after == nil, let header, !header.trimmingCharacters(in: .whitespaces).isEmpty {
                    after = spec.backoffCapMilliseconds
                }
                return .retry(status, after: after)
            }
            return .fail(status)
        }
        guard let document else {
            return .fail("HTTP \(response.status) but the body is not valid JSON (\(response.body.count) bytes)")
        }
        if spec.api == .kraken, case .array(let errors) = document["error"]?.kind, !errors.isEmpty {
            // The venue's words end up in messages, logs and reports: control characters are shown, never sent on.
            let text = Escaping.terminal(errors.compactMap(\.text).joined(separator: "; "))
            // Kraken's transient errors; `EGeneral:Temporary lockout` (about 15 minutes) and key or nonce errors are not.
            let transient = [
                "EAPI:Rate limit exceeded", "EService:Unavailable", "EService:Busy", "EService: Throttled",
                "EGeneral:Internal error",
            ]
            if transient.contains(where: text.contains) { return .retry("Kraken: \(text)", after: nil) }
            return .fail("Kraken: \(Self.clipped(text))")
        }
        if spec.krakenLedgers {
            // Pages of 50, newest first, by offset: the next offset is this one's plus the entries it held.
            guard let ledger = document["result"]?["ledger"], case .object(let entries) = ledger.kind,
                let countText = document["result"]?["count"]?.text, let count = Int(countText)
            else { return .fail("HTTP \(response.status) but the body has no `result.ledger` and `result.count`") }
            let next = offset + entries.count
            return .success(next: entries.isEmpty || next >= count ? nil : String(next))
        }
        // Each API's answer has a shape; a 200 without it is an error the venue dressed as success.
        let shaped: Bool
        switch spec.api {
        case .coinbaseExchange: if case .array = document.kind { shaped = true } else { shaped = false }
        case .binance: shaped = document["balances"] != nil
        case .dydx: shaped = document["subaccount"] != nil || document["subaccounts"] != nil
        case .kraken: shaped = document["result"] != nil
        case .coinbaseAdvanced: shaped = document["accounts"] != nil
        }
        guard shaped else {
            let expected =
                switch spec.api {
                case .coinbaseExchange: "is not a JSON array of accounts"
                case .binance: "has no `balances`"
                case .dydx: "has no `subaccount`"
                case .kraken: "has no `result`"
                case .coinbaseAdvanced: "has no `accounts`"
                }
            return .fail("HTTP \(response.status) but the body \(expected)\(venueMessage)")
        }
        if spec.api == .coinbaseAdvanced {
            guard document["accounts"] != nil else {
                return .fail("HTTP \(response.status) but the body has no `accounts`\(venueMessage)")
            }
            if case .bool(true) = document["has_next"]?.kind {
                guard let cursor = document["cursor"]?.text, !cursor.isEmpty else {
                    return .fail("the page says has_next but gives no cursor")
                }
                return .success(next: cursor)
            }
        }
        return .success(next: nil)
    }

    /// The body as JSON, or `nil` when it is not valid JSON.
    static func json(_ body: [UInt8]) -> JSONElement? {
        guard !body.isEmpty else { return nil }
        var parser = JSONStreamParser(source: BufferByteSource(body), displayPath: "response")
        return try? parser.document()
    }

    /// The venue's own error message: `message`, `msg` (Binance), `error` (text or Kraken's list), `errors[].msg`
    /// (dYdX).
    static func venueMessage(_ document: JSONElement) -> String? {
        if let code = document["code"]?.text, let message = document["msg"]?.text { return "\(message) (code \(code))" }
        for key in ["message", "msg", "error_description"] {
            if let text = document[key]?.text, !text.isEmpty { return text }
        }
        if let error = document["error"] {
            if let text = error.text, !text.isEmpty { return text }
            let texts = error.elements.compactMap(\.text)
            if !texts.isEmpty { return texts.joined(separator: "; ") }
        }
        let texts = document["errors"]?.elements.compactMap { $0["msg"]?.text ?? $0.text } ?? []
        return texts.isEmpty ? nil : texts.joined(separator: "; ")
    }

    static func clipped(_ text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// The response headers `fetch.json` keeps: rate-limit state, `Retry-After`, the venue's date and request id.
    static func recordedHeaders(_ headers: [(String, String)]) -> [String: JSONValue] {
        var kept: [String: JSONValue] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if ["retry-after", "date", "content-type", "content-length", "x-request-id", "cb-after", "cb-before"]
                .contains(lower) || lower.hasPrefix("x-mbx-used-weight") || lower.hasPrefix("x-mbx-order-count")
                || lower.hasPrefix("ratelimit-") || lower.hasPrefix("x-ratelimit-")
            {
                kept[lower] = .string(value)
            }
        }
        return kept
    }

    // MARK: - The batch record

    /// Writes `fetch.json`, keeping the entries of inputs not fetched this time when the batch is of the same job
    /// and day. Returns why it could not be written.
    private func writeManifest(job: JobSpec, results: [InputFetchResult], directory: String) -> String? {
        let path = directory + "/" + FetchBatch.manifestName
        var entries: [(String, JSONValue)] = []
        if let bytes = FileManager.default.contents(atPath: path).map(Array.init), let old = Self.json(bytes),
            old["format"]?.text == FetchBatch.formatTag, old["job"]?.text == job.name, old["as_of"]?.text == job.asOf
        {
            for entry in old["inputs"]?.elements ?? [] {
                // An input refused before any request keeps its earlier entry.
                guard let name = entry["name"]?.text,
                    !results.contains(where: { $0.name == name && !$0.keepsEarlier }),
                    job.statements.contains(where: { $0.name == name && $0.fetch != nil })
                else { continue }
                entries.append((name, Self.value(entry)))
            }
        }
        entries += results.filter { result in
            !(result.keepsEarlier && entries.contains { $0.0 == result.name })
        }.map { ($0.name, $0.record) }
        let order = job.statements.map(\.name)
        entries.sort { (order.firstIndex(of: $0.0) ?? .max) < (order.firstIndex(of: $1.0) ?? .max) }
        let manifest = JSONValue.object([
            "format": .string(FetchBatch.formatTag), "job": .string(job.name), "as_of": .string(job.asOf),
            "cutoff": .string(job.cutoff.instantISO8601), "inputs": .array(entries.map(\.1)),
        ])
        do throws(ReconciliationError) {
            try FileOutput.writeAtomically(manifest.prettyEncodedBytes(), to: path, room: .run)
            return nil
        } catch {
            return "cannot write \(path): \(error.description)"
        }
    }

    /// A parsed element back as a value (numbers keep their text).
    static func value(_ element: JSONElement) -> JSONValue {
        switch element.kind {
        case .null: .null
        case .bool(let value): .bool(value)
        case .number(let text): .number(text)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(value))
        case .object(let members): .object(Dictionary(members.map { ($0.key, value($0.value)) }) { first, _ in first })
        }
    }

    static func iso8601(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// `850 ms`, `1.2 s`, `2 m 5 s`.
    /// `850ms`, `1.2s`, `15m`, `2m 5s`, `3d 11h` — written like the durations of a run's notes.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 {
            let tenths = (milliseconds + 50) / 100
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = milliseconds / 1000
        let parts = [
            (seconds / 86_400, "d"), (seconds % 86_400 / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s"),
        ].filter { $0.0 > 0 }
        // Two units are enough to read: 3d 11h, 2h 5m, 2m 5s.
        return parts.prefix(2).map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }

    private func removeTree(_ path: String) {
        guard access(path, F_OK) == 0 else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
