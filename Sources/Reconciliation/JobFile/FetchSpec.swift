/// The venue APIs a statement input can be fetched from.
public enum VenueAPI: String, Sendable, Hashable, CaseIterable {
    /// Coinbase Advanced Trade `GET /api/v3/brokerage/accounts` (JWT bearer, ES256 or EdDSA).
    case coinbaseAdvanced = "coinbase-advanced"
    /// Coinbase Exchange `GET /accounts` (HMAC-SHA256 `CB-ACCESS-SIGN`, passphrase).
    case coinbaseExchange = "coinbase-exchange"
    /// The dYdX v4 indexer `GET /v4/addresses/{address}/subaccountNumber/{n}` (public).
    case dydx
    /// Kraken `POST /0/private/Balance` (HMAC-SHA512 `API-Sign`, increasing nonce).
    case kraken
    /// Binance spot `GET /api/v3/account` (hex HMAC-SHA256 `signature`, `X-MBX-APIKEY`).
    case binance

    /// The formats that read what this API returns (the first is the default).
    package var formats: [String] {
        switch self {
        case .coinbaseAdvanced: ["coinbase-advanced-accounts"]
        case .coinbaseExchange: ["coinbase-exchange-accounts"]
        case .dydx: ["dydx-subaccount"]
        case .kraken: ["kraken-balance", "kraken-ledgers"]
        case .binance: ["binance-account"]
        }
    }

    /// The production base URL.
    package var defaultBaseURL: String {
        switch self {
        case .coinbaseAdvanced: "https://api.coinbase.com"
        case .coinbaseExchange: "https://api.exchange.coinbase.com"
        case .dydx: "https://indexer.dydx.trade"
        case .kraken: "https://api.kraken.com"
        case .binance: "https://api.binance.com"
        }
    }

    /// Whether requests are signed (the dYdX indexer is public).
    package var needsCredentials: Bool { self != .dydx }

    /// Whether the credentials include a passphrase.
    package var needsPassphrase: Bool { self == .coinbaseExchange }

    /// The client-side limit by default, in the venue's own units, from its documented limits (docs/FETCH.md): a
    /// request costs `cost` tokens; the bucket holds `burst` and refills `perSecond` a second.
    package var defaultRateLimit: RateLimit {
        switch self {
        // 30 requests a second for private endpoints.
        case .coinbaseAdvanced: RateLimit(burst: 30, perSecond: 30, cost: 1)
        // 15 requests a second, bursts of 30.
        case .coinbaseExchange: RateLimit(burst: 30, perSecond: 15, cost: 1)
        // The public indexer: 100 requests per 10 seconds per address.
        case .dydx: RateLimit(burst: 10, perSecond: 10, cost: 1)
        // The starter tier's call counter: 15, decaying by 0.33 a second; Balance costs 1.
        case .kraken: RateLimit(burst: 15, perSecond: 0.33, cost: 1)
        // 6,000 request weight a minute; `GET /api/v3/account` weighs 20.
        case .binance: RateLimit(burst: 6000, perSecond: 100, cost: 20)
        }
    }
}

/// A token bucket's settings, in the venue's units (requests, Kraken counter points, Binance weight).
package struct RateLimit: Sendable, Hashable {
    /// How many tokens the bucket holds (the burst allowed after a quiet spell).
    package var burst: Double
    /// How many tokens come back a second.
    package var perSecond: Double
    /// What one request costs.
    package var cost: Double

    /// Creates a limit.
    package init(burst: Double, perSecond: Double, cost: Double) {
        self.burst = burst
        self.perSecond = perSecond
        self.cost = cost
    }
}

/// Where an input's API credentials come from. The secrets themselves never enter a `JobSpec`.
package enum CredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// `env:NAME`: `NAME_API_KEY`, `NAME_API_SECRET` (and `NAME_API_PASSPHRASE`).
    case environment(prefix: String)
    /// `file:PATH`: `{"api_key", "api_secret", "passphrase"}`, readable by its owner only.
    case file(path: String)

    package var description: String {
        switch self {
        case .environment(let prefix): "env:\(prefix)"
        case .file(let path): "file:\(path)"
        }
    }
}

/// A statement input's `fetch:` block: how to get its bytes from the venue.
package struct FetchSpec: Sendable, Hashable {
    /// Which API.
    package var api: VenueAPI
    /// Where the key and secret come from (`nil` for public APIs).
    package var credentials: CredentialSource?
    /// The base URL (scheme, host, optional port and path prefix), without a trailing slash.
    package var baseURL: String
    /// Per request: the time allowed to connect.
    package var connectTimeoutMilliseconds: Int64 = 5_000
    /// Per request: the time allowed for the whole response.
    package var timeoutMilliseconds: Int64 = 10_000
    /// The whole fetch of this input, retries and waits included.
    package var deadlineMilliseconds: Int64 = 120_000
    /// Attempts after the first, for retryable outcomes only.
    package var retries: Int = 5
    /// Backoff: the first wait's ceiling; each retry doubles it up to `backoffCapMilliseconds` (full jitter).
    package var backoffBaseMilliseconds: Int64 = 500
    /// Backoff: the longest wait.
    package var backoffCapMilliseconds: Int64 = 30_000
    /// The client-side rate limit, shared by every input of the same API, base URL and credentials.
    package var rateLimit: RateLimit
    /// The largest response body accepted.
    package var maxResponseBytes: Int64 = 16 << 20
    /// The most pages one input may take (a venue that never stops paging is an error).
    package var maxPages: Int = 1_000
    /// Coinbase Advanced: accounts per page (1–250).
    package var pageSize: Int = 250
    /// dYdX: the wallet address (`dydx1…`).
    package var address: String?
    /// dYdX: the subaccount number.
    package var subaccount: Int?
    /// Binance: `recvWindow` in milliseconds.
    package var receiveWindowMilliseconds: Int = 5_000
    /// Kraken: page the Ledgers API (format `kraken-ledgers`) instead of asking for the Balance.
    package var krakenLedgers = false
    /// Kraken Ledgers: the `end` asked for, in seconds since 1970 (a second past the cutoff, so the pages cannot change
    /// while they are fetched; the reader leaves out what is after the cutoff itself).
    package var ledgerEndSeconds: Int64?

    /// Creates a fetch block with the API's defaults.
    package init(api: VenueAPI, credentials: CredentialSource? = nil, baseURL: String? = nil) {
        self.api = api
        self.credentials = credentials
        self.baseURL = baseURL ?? api.defaultBaseURL
        self.rateLimit = api.defaultRateLimit
    }

    /// Which inputs share a rate limiter: the same API at the same place with the same credentials — or, where the
    /// venue counts per IP address (Binance's request weight, the dYdX indexer), whatever the credentials.
    package var limiterKey: String {
        switch api {
        case .binance, .dydx: "\(api.rawValue) \(baseURL)"
        default: "\(api.rawValue) \(baseURL) \(credentials?.description ?? "-")"
        }
    }
}
