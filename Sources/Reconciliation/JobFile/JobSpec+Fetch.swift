extension JobFileNode {
    /// A duration in milliseconds: `250ms`, `10s`, `2m`, `1h`, or a whole number of seconds.
    func durationMilliseconds(in range: ClosedRange<Int64>) throws(ReconciliationError) -> Int64 {
        let text = try nonEmptyString()
        var digits = Substring(text)
        var scale: Int64 = 1_000
        for (suffix, unit) in [("ms", Int64(1)), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        where text.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            scale = unit
            break
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits),
            value <= Int64.max / scale, range.contains(value * scale)
        else {
            throw error(
                "expected a duration such as 250ms, 10s or 2m, from \(range.lowerBound) ms to \(range.upperBound) ms, "
                    + "got '\(text)'")
        }
        return value * scale
    }

    /// A positive decimal number (rate limits), read from its text.
    func positiveNumber() throws(ReconciliationError) -> Double {
        let text = try nonEmptyString()
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(text), value > 0,
            value.isFinite
        else { throw error("expected a positive number, got '\(text)'") }
        return value
    }
}

extension JobSpec {
    /// The keys of a `fetch:` block.
    static let fetchKeys = [
        "api", "credentials", "base_url", "timeout", "connect_timeout", "deadline", "retries", "backoff", "rate_limit",
        "max_response_bytes", "max_pages", "page_size", "address", "subaccount", "recv_window",
    ]

    /// An input's `fetch:` block. `format` is the input's `format:` (checked against what the API returns).
    static func parseFetch(
        _ node: JobFileNode, format: String?, formatNode: JobFileNode?, baseDirectory: String, paths: PathResolver
    ) throws(ReconciliationError) -> FetchSpec {
        let map = try node.mapping(known: fetchKeys)
        guard let apiNode = map["api"] else {
            throw node.error(
                "missing required key `api` (one of \(VenueAPI.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let api = VenueAPI(rawValue: try apiNode.choice(VenueAPI.allCases.map(\.rawValue))) else {
            throw apiNode.error("unknown api")
        }
        if let format, !api.formats.contains(format) {
            throw (formatNode ?? node).error(
                "api \(api.rawValue) returns what format \(api.formats.joined(separator: " or ")) reads, not "
                    + "\(format); set `format: \(api.formats[0])` or leave `format:` out")
        }
        var spec = FetchSpec(api: api)
        if api == .kraken, format == "kraken-ledgers" {
            // The Ledgers API, paged by `ofs`; each call costs 2 on Kraken's counter (Balance costs 1).
            spec.krakenLedgers = true
            spec.rateLimit.cost = 2
        }
        if let credentialsNode = map["credentials"] {
            guard api.needsCredentials else {
                throw credentialsNode.error("the \(api.rawValue) API is public: remove `credentials`")
            }
            let text = try credentialsNode.nonEmptyString()
            if text.hasPrefix("env:") {
                let prefix = String(text.dropFirst(4))
                guard !prefix.isEmpty,
                    prefix.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }),
                    !(prefix.first?.isNumber ?? true)
                else {
                    throw credentialsNode.error(
                        "expected env:NAME with NAME in capitals, digits and '_' (NAME_API_KEY and NAME_API_SECRET are "
                            + "read), got '\(text)'")
                }
                spec.credentials = .environment(prefix: prefix)
            } else if text.hasPrefix("file:"), text.count > 5 {
                spec.credentials = .file(path: paths.absolute(String(text.dropFirst(5)), from: baseDirectory))
            } else {
                // The value is not repeated: it may be the key itself.
                throw credentialsNode.error(
                    "expected env:NAME or file:PATH (never the key itself: a job file is not a secret)")
            }
        } else if api.needsCredentials {
            throw node.error(
                "missing required key `credentials` (env:NAME or file:PATH): the \(api.rawValue) API is private")
        }
        if let urlNode = map["base_url"] {
            spec.baseURL = try parseBaseURL(urlNode)
        }
        if let value = map["timeout"] { spec.timeoutMilliseconds = try value.durationMilliseconds(in: 1...3_600_000) }
        if let value = map["connect_timeout"] {
            spec.connectTimeoutMilliseconds = try value.durationMilliseconds(in: 1...3_600_000)
        }
        if let value = map["deadline"] {
            spec.deadlineMilliseconds = try value.durationMilliseconds(in: 1...86_400_000)
        }
        if let value = map["retries"] { spec.retries = Int(try value.integer(in: 0...100)) }
        if let backoffNode = map["backoff"] {
            let backoff = try backoffNode.mapping(known: ["base", "cap"])
            if let value = backoff["base"] {
                spec.backoffBaseMilliseconds = try value.durationMilliseconds(in: 1...3_600_000)
            }
            if let value = backoff["cap"] {
                spec.backoffCapMilliseconds = try value.durationMilliseconds(in: 1...3_600_000)
            }
            if spec.backoffCapMilliseconds < spec.backoffBaseMilliseconds {
                throw backoffNode.error("`cap` is shorter than `base`")
            }
        }
        if let limitNode = map["rate_limit"] {
            let limit = try limitNode.mapping(known: ["burst", "per_second", "cost"])
            if let value = limit["burst"] { spec.rateLimit.burst = try value.positiveNumber() }
            if let value = limit["per_second"] {
                spec.rateLimit.perSecond = try value.positiveNumber()
                guard spec.rateLimit.perSecond >= 0.001 else {
                    throw value.error("expected at least 0.001 tokens a second (one every 1,000 seconds)")
                }
            }
            if let value = limit["cost"] { spec.rateLimit.cost = try value.positiveNumber() }
            if spec.rateLimit.cost > spec.rateLimit.burst {
                throw limitNode.error(
                    "a request costs \(spec.rateLimit.cost), more than the bucket holds (burst \(spec.rateLimit.burst))"
                )
            }
        }
        if let value = map["max_response_bytes"] { spec.maxResponseBytes = try value.integer(in: 1...(1 << 34)) }
        if let value = map["max_pages"] { spec.maxPages = Int(try value.integer(in: 1...1_000_000)) }
        if let value = map["page_size"] {
            guard api == .coinbaseAdvanced else { throw value.error("only the coinbase-advanced API pages by size") }
            spec.pageSize = Int(try value.integer(in: 1...250))
        }
        if let value = map["recv_window"] {
            guard api == .binance else { throw value.error("`recv_window` is Binance's") }
            spec.receiveWindowMilliseconds = Int(try value.durationMilliseconds(in: 1...60_000))
        }
        for key in ["address", "subaccount"] where api != .dydx {
            if let misplaced = map[key] {
                throw misplaced.error("`\(key)` is dYdX's; the \(api.rawValue) API does not take it")
            }
        }
        if api == .dydx {
            guard let addressNode = map["address"] else {
                throw node.error("missing required key `address` (the dydx1… wallet address)")
            }
            let address = try addressNode.nonEmptyString()
            // Bech32: the `dydx` prefix, `1`, then lower-case letters and digits other than 1, b, i, o.
            let body = address.dropFirst(5)
            guard address.hasPrefix("dydx1"), body.count >= 38, body.count <= 90,
                body.allSatisfy({ "qpzry9x8gf2tvdw0s3jn54khce6mua7l".contains($0) })
            else { throw addressNode.error("expected a dYdX address (dydx1 followed by 38 or more bech32 letters)") }
            spec.address = address
            spec.subaccount = Int(try map["subaccount"]?.integer(in: 0...128_127) ?? 0)
        }
        return spec
    }

    /// `https://host[:port][/prefix]`; plain `http` only for this machine (tests, a local proxy): credentials never
    /// cross a network in clear.
    static func parseBaseURL(_ node: JobFileNode) throws(ReconciliationError) -> String {
        var text = try node.nonEmptyString()
        while text.hasSuffix("/") { text.removeLast() }
        let scheme: String
        if text.hasPrefix("https://") {
            scheme = "https"
        } else if text.hasPrefix("http://") {
            scheme = "http"
        } else {
            throw node.error("expected an https:// URL, got '\(text)'")
        }
        let rest = text.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty, !authority.contains("@"), !rest.contains("?"), !rest.contains("#"),
            rest.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else {
            throw node.error("expected https://host[:port][/path] without user, query or fragment, got '\(text)'")
        }
        let port =
            authority.hasPrefix("[")
            ? authority.split(separator: "]").last.map { $0.dropFirst() }
            : authority.split(
                separator: ":", maxSplits: 1
            ).dropFirst().first
        if let port, !(port.allSatisfy({ $0.isASCII && $0.isNumber }) && (1...65535).contains(Int(port) ?? 0)) {
            throw node.error("expected a port from 1 to 65535 in '\(text)', got '\(port)'")
        }
        if scheme == "http" {
            let host =
                authority.hasPrefix("[")
                ? String(authority.prefix { $0 != "]" }) + "]" : String(authority.prefix { $0 != ":" })
            guard ["127.0.0.1", "localhost", "[::1]"].contains(host) else {
                throw node.error(
                    "http:// would send signed requests in clear; use https (http is accepted for 127.0.0.1 and "
                        + "localhost only)")
            }
        }
        return text
    }

    /// An input name that is also a folder in the batch: letters, digits, `.`, `_`, `-`, not starting with `.`.
    static func isBatchName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.hasPrefix(".") && name.lowercased() != FetchBatch.manifestName
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
