public import Crypto
import Foundation
import NIOConcurrencyHelpers

/// All five venues behind one mock, with real keys and real signature checks, the bodies each returns, faults to
/// inject per venue, and a job that fetches from them and reconciles against a ledger that agrees.
public final class VenueScenario: Sendable {
    /// The five APIs, by the path each answers.
    public enum API: String, Sendable, CaseIterable {
        case coinbaseAdvanced = "coinbase-advanced"
        case coinbaseExchange = "coinbase-exchange"
        case dydx
        case kraken
        case binance

        /// The input name in the scenario's job.
        public var input: String { "\(rawValue)-main" }
    }

    /// Every secret the scenario uses: no output of a run may contain one.
    public static let coinbaseKeyName = "organizations/org-7f3a/apiKeys/key-5e21c0ffee"
    public static let exchangeKey = "exchange-key-9a8b7c6d5e4f"
    public static let exchangeSecret = Data("exchange-secret-bytes-0123456789abcdef".utf8).base64EncodedString()
    public static let exchangePassphrase = "passphrase-quartz-17"
    public static let krakenKey = "kraken-key-AbCdEfGhIjKlMnOp"
    public static let krakenSecret = Data("kraken-secret-bytes-fedcba9876543210fedcba".utf8).base64EncodedString()
    public static let binanceKey = "binance-key-vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    public static let binanceSecret = "binance-secret-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    public static let dydxAddress = "dydx1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzv3mfv"

    public let p256: P256.Signing.PrivateKey
    public let ed25519: Curve25519.Signing.PrivateKey
    /// Whether Coinbase Advanced is signed with the Ed25519 key instead of the EC key.
    public let useEd25519: Bool
    public let venue: MockVenue
    private let state: NIOLockedValueBox<State>

    struct State {
        var faults: [API: [MockVenue.Reply]] = [:]
        var pages: [[String]] = [["BTC", "ETH", "USDC"]]
        var krakenNonces: [UInt64] = []
        var signatureProblems: [String] = []
        var always: [API: MockVenue.Reply] = [:]
    }

    public init(useEd25519: Bool = false) async throws {
        self.useEd25519 = useEd25519
        let state = NIOLockedValueBox(State())
        self.state = state
        let p256 = P256.Signing.PrivateKey()
        let ed25519 = Curve25519.Signing.PrivateKey()
        self.p256 = p256
        self.ed25519 = ed25519
        let p256Public = p256.publicKey
        let edPublic = ed25519.publicKey
        venue = try await MockVenue { request in
            Self.answer(request, state: state, p256: p256Public, ed25519: edPublic)
        }
    }

    public func shutdown() async { await venue.shutdown() }

    /// The next requests to `api` get these replies, in order, before it answers normally.
    public func inject(_ api: API, _ replies: MockVenue.Reply...) {
        state.withLockedValue { $0.faults[api, default: []] += replies }
    }

    /// Every request to `api` gets this reply.
    public func always(_ api: API, _ reply: MockVenue.Reply) {
        state.withLockedValue { $0.always[api] = reply }
    }

    /// Coinbase Advanced answers in these pages (currencies per page).
    public func coinbasePages(_ pages: [[String]]) { state.withLockedValue { $0.pages = pages } }

    /// Kraken nonces seen, in order.
    public var krakenNonces: [UInt64] { state.withLockedValue { $0.krakenNonces } }
    /// Requests whose signature did not verify.
    public var signatureProblems: [String] { state.withLockedValue { $0.signatureProblems } }
    /// Requests to one API.
    public func requests(_ api: API) -> [MockVenue.Request] { venue.requests.filter { Self.api(of: $0) == api } }

    /// The environment holding the credentials (and nothing else).
    public var environment: [String: String] {
        [
            "COINBASE_API_KEY": Self.coinbaseKeyName,
            "COINBASE_API_SECRET": useEd25519
                ? (ed25519.rawRepresentation + ed25519.publicKey.rawRepresentation).base64EncodedString()
                : p256.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n"),
            "COINBASE_EXCHANGE_API_KEY": Self.exchangeKey, "COINBASE_EXCHANGE_API_SECRET": Self.exchangeSecret,
            "COINBASE_EXCHANGE_API_PASSPHRASE": Self.exchangePassphrase,
            "KRAKEN_API_KEY": Self.krakenKey, "KRAKEN_API_SECRET": Self.krakenSecret,
            "BINANCE_API_KEY": Self.binanceKey, "BINANCE_API_SECRET": Self.binanceSecret,
        ]
    }

    /// Every secret string, for scanning outputs.
    public var secrets: [String] {
        var all = [
            Self.coinbaseKeyName, Self.exchangeKey, Self.exchangeSecret, Self.exchangePassphrase, Self.krakenKey,
            Self.krakenSecret, Self.binanceKey, Self.binanceSecret,
        ]
        all.append(environment["COINBASE_API_SECRET"] ?? "")
        all += p256.pemRepresentation.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") }
        return all
    }

    /// A job fetching `apis` from the mock (extra `fetch:` lines per API in `settings`), reconciled against a
    /// ledger that agrees with what the venues answer by default.
    public func job(
        name: String = "fetched", apis: [API] = API.allCases, settings: [API: String] = [:], top: String = "",
        formats: [API: String] = [:]
    ) -> String {
        var statements = ""
        for api in apis {
            var fetch = "        api: \(api.rawValue)\n        base_url: \(venue.baseURL)\n"
            switch api {
            case .coinbaseAdvanced: fetch += "        credentials: env:COINBASE\n"
            case .coinbaseExchange: fetch += "        credentials: env:COINBASE_EXCHANGE\n"
            case .kraken: fetch += "        credentials: env:KRAKEN\n"
            case .binance: fetch += "        credentials: env:BINANCE\n"
            case .dydx: fetch += "        address: \(Self.dydxAddress)\n        subaccount: 0\n"
            }
            for line in (settings[api] ?? "").split(separator: "\n") { fetch += "        \(line)\n" }
            statements += """
                  - name: \(api.input)
                    venue: \(api.rawValue)
                    account: main
                \(formats[api].map { "    format: \($0)\n" } ?? "")    fetch:
                \(fetch)
                """
        }
        return """
            job: \(name)
            as_of: "2026-11-24"
            cutoff: {time: "17:00", zone: UTC}
            max_snapshot_skew: 100000d
            ledger:
              - name: books
                path: ledger.csv
                kind: balances
                columns: {venue: venue, account: account, asset: asset, amount: amount}
            statements:
            \(statements)
            \(top)
            """
    }

    /// The ledger agreeing with the default answers.
    public static let ledger = """
        venue,account,asset,amount
        coinbase-advanced,main,BTC,1.5
        coinbase-advanced,main,ETH,2.25
        coinbase-advanced,main,USDC,100.0
        coinbase-exchange,p1,USD,1250.50
        coinbase-exchange,p1,BTC,0.75
        dydx,dydx1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzv3mfv/0,USDC,5000.123456
        kraken,main,BTC,0.5
        kraken,main,USD,200.00
        binance,main,BTC,0.1
        binance,main,USDT,300.5

        """

    static let amounts = ["BTC": "1.5", "ETH": "2.25", "USDC": "100.0", "SOL": "10", "DOT": "4"]

    /// Kraken's ledger as the Ledgers API pages it: 120 entries before the cutoff (50 of XXBT, +0.0101 with a 0.0001
    /// fee each, ending at 0.5; 70 of ZUSD, 62.00 then 2.00 each, ending at 200.00) and 3 after it, newest first,
    /// 50 a page, filtered by `end` as Kraken does.
    public static let krakenLedger:
        [(id: String, time: String, asset: String, amount: String, fee: String, balance: String)] = {
            var entries: [(String, String, String, String, String, String)] = []
            let start = 1_795_176_000  // 2026-11-20T12:00:00Z
            for index in 0..<50 {
                let balance = "0.\(String(format: "%02d", index + 1))00000000"
                entries.append(
                    ("LBTC\(index)", "\(start + index * 600).1234", "XXBT", "0.0101000000", "0.0001000000", balance))
            }
            for index in 0..<70 {
                let balance = String(format: "%.4f", 62.0 + Double(index) * 2.0)
                entries.append(
                    (
                        "LUSD\(index)", "\(start + index * 600 + 300)", "ZUSD", index == 0 ? "62.0000" : "2.0000",
                        "0.0000", balance
                    ))
            }
            // After the cutoff (2026-11-24T17:00:00Z = 1795539600): never part of the cutoff's balance. The first is within
            // the second past the cutoff that `end` asks for, so the reader must leave it out itself.
            entries.append(("LLATE0", "1795539600.5", "XXBT", "1.0000000000", "0.0000000000", "1.5000000000"))
            entries.append(("LLATE1", "1795543200", "ZUSD", "-50.0000", "0.0000", "150.0000"))
            entries.append(("LLATE2", "1795546800", "XXBT", "0.0100000000", "0.0000000000", "1.5100000000"))
            return entries.sorted { (Double($0.1) ?? 0) > (Double($1.1) ?? 0) }.map {
                (id: $0.0, time: $0.1, asset: $0.2, amount: $0.3, fee: $0.4, balance: $0.5)
            }
        }()

    static func krakenLedgerPage(_ request: MockVenue.Request) -> MockVenue.Reply {
        let form = Dictionary(
            String(decoding: request.body, as: UTF8.self).split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { $1 })
        let offset = Int(form["ofs"] ?? "0") ?? 0
        let end = form["end"].flatMap(Double.init) ?? .infinity
        let visible = krakenLedger.filter { (Double($0.time) ?? 0) <= end }
        let page = visible.dropFirst(offset).prefix(50)
        let entries = page.map { entry in
            #""\#(entry.id)":{"refid":"R\#(entry.id)","time":\#(entry.time),"type":"deposit","subtype":"","aclass":"currency","asset":"\#(entry.asset)","amount":"\#(entry.amount)","fee":"\#(entry.fee)","balance":"\#(entry.balance)"}"#
        }
        return .json(
            #"{"error":[],"result":{"ledger":{\#(entries.joined(separator: ","))},"count":\#(visible.count)}}"#)
    }

    static func api(of request: MockVenue.Request) -> API? {
        switch request.path {
        case "/api/v3/brokerage/accounts": .coinbaseAdvanced
        case "/accounts": .coinbaseExchange
        case "/0/private/Balance", "/0/private/Ledgers": .kraken
        case "/api/v3/account": .binance
        default: request.path.hasPrefix("/v4/addresses/") ? .dydx : nil
        }
    }

    static func answer(
        _ request: MockVenue.Request, state: NIOLockedValueBox<State>, p256: P256.Signing.PublicKey,
        ed25519: Curve25519.Signing.PublicKey
    ) -> MockVenue.Reply {
        guard let api = api(of: request) else { return .json(#"{"message":"not found"}"#, status: 404) }
        let authority = request.header("Host") ?? ""
        // Authentication first, as a venue does.
        let problem: String?
        switch api {
        case .coinbaseAdvanced:
            problem = VenueSignatures.coinbaseAdvanced(
                request, keyName: coinbaseKeyName, p256: p256, ed25519: ed25519, authority: authority)
        case .coinbaseExchange:
            problem = VenueSignatures.coinbaseExchange(
                request, key: exchangeKey, secret: exchangeSecret, passphrase: exchangePassphrase)
        case .kraken:
            let (nonce, signature) = VenueSignatures.kraken(request, key: krakenKey, secret: krakenSecret)
            var reused = false
            if let nonce {
                state.withLockedValue { state in
                    reused = state.krakenNonces.last.map { nonce <= $0 } ?? false
                    state.krakenNonces.append(nonce)
                }
            }
            problem = signature ?? (reused ? "EAPI:Invalid nonce" : nil)
        case .binance:
            problem = VenueSignatures.binance(request, key: binanceKey, secret: binanceSecret)
        case .dydx:
            problem = nil
        }
        if let problem {
            state.withLockedValue { $0.signatureProblems.append("\(api.rawValue): \(problem)") }
            switch api {
            case .kraken: return .json(#"{"error":["\#(problem)"]}"#)
            case .binance: return .json(#"{"code":-1022,"msg":"\#(problem)"}"#, status: 401)
            default: return .json(#"{"message":"\#(problem)"}"#, status: 401)
            }
        }
        let injected: MockVenue.Reply? = state.withLockedValue { state in
            if let always = state.always[api] { return always }
            guard var queue = state.faults[api], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            state.faults[api] = queue
            return first
        }
        if let injected { return injected }
        switch api {
        case .coinbaseAdvanced:
            let pages = state.withLockedValue { $0.pages }
            let cursor = request.query.split(separator: "&").first { $0.hasPrefix("cursor=") }.map {
                String($0.dropFirst(7))
            }
            let index = cursor.flatMap { Int($0.dropFirst(1)) } ?? 0
            guard index < pages.count else { return .json(#"{"message":"bad cursor"}"#, status: 400) }
            let accounts = pages[index].map { currency in
                #"{"uuid":"u-\#(currency)","name":"\#(currency) Wallet","currency":"\#(currency)","available_balance":{"value":"\#(amounts[currency] ?? "0")","currency":"\#(currency)"},"hold":{"value":"0","currency":"\#(currency)"},"type":"ACCOUNT_TYPE_CRYPTO","active":true,"ready":true,"deleted_at":null}"#
            }
            let hasNext = index + 1 < pages.count
            return .json(
                #"{"accounts":[\#(accounts.joined(separator: ","))],"has_next":\#(hasNext),"cursor":"\#(hasNext ? "c\(index + 1)" : "")","size":\#(accounts.count)}"#
            )
        case .coinbaseExchange:
            return .json(
                #"[{"id":"a1","currency":"USD","balance":"1250.50","available":"1250.50","hold":"0.00","profile_id":"p1","trading_enabled":true},{"id":"a2","currency":"BTC","balance":"0.7500000000000000","available":"0.5","hold":"0.25","profile_id":"p1","trading_enabled":true}]"#
            )
        case .dydx:
            return .json(
                #"{"subaccount":{"address":"\#(dydxAddress)","subaccountNumber":0,"equity":"5000.123456","freeCollateral":"5000.123456","openPerpetualPositions":{},"assetPositions":{"USDC":{"symbol":"USDC","side":"LONG","size":"5000.123456","assetId":"0","subaccountNumber":0}},"marginEnabled":true,"updatedAtHeight":"1","latestProcessedBlockHeight":"2"}}"#
            )
        case .kraken where request.path == "/0/private/Ledgers":
            return krakenLedgerPage(request)
        case .kraken:
            return .json(#"{"error":[],"result":{"XXBT":"0.5000000000","ZUSD":"200.0000"}}"#)
        case .binance:
            return .json(
                #"{"makerCommission":10,"takerCommission":10,"canTrade":true,"accountType":"SPOT","balances":[{"asset":"BTC","free":"0.10000000","locked":"0.00000000"},{"asset":"USDT","free":"300.00000000","locked":"0.50000000"}],"permissions":["SPOT"],"uid":354937868,"updateTime":1764003600000}"#,
                headers: [("X-MBX-USED-WEIGHT-1M", "20")])
        }
    }
}
