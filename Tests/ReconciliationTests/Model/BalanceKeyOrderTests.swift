import PropertyBased
import Testing

@testable import Reconciliation

@Suite struct BalanceKeyOrderTests {
    /// Short and long, ASCII and not, prefixes of each other, empty, invalid-looking scalars.
    static let texts = Generator<String, Shrink.None<String>>(
        run: { rng in
            let alphabet: [Character] = ["a", "b", "A", "0", "-", " ", "é", "e", "\u{301}", "ß", "€", "😀", "\u{7F}"]
            let count = [0, 1, 2, 15, 16, 17, 40][Int.random(in: 0..<7, using: &rng)]
            return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        })

    @Test func keyPartsOrderByTheirUTF8Bytes() async {
        await propertyCheck(count: 3000, input: Self.texts, Self.texts) { left, right in
            #expect(BalanceKey.precedes(left, right) == left.utf8.lexicographicallyPrecedes(right.utf8))
            #expect(BalanceKey.precedes(left, left + "x"))
            #expect(!BalanceKey.precedes(left, left))
        }
    }

    /// The ranked sort of many keys gives `<`'s order exactly: parts drawn from a small alphabet (so venues, accounts
    /// and assets repeat, share prefixes, and come in two spellings of one text), keys unique as a book's are.
    @Test func theRankedSortOfManyKeysIsTheComparisonsOrder() async {
        let keys = Generator<[BalanceKey], Shrink.None<[BalanceKey]>>(
            run: { rng in
                let count = Int.random(in: 0...400, using: &rng)
                let made = (0..<count).map { _ in
                    BalanceKey(venue: Self.part(&rng), account: Self.part(&rng), asset: Self.part(&rng))
                }
                return Array(Set(made))  // a book's keys: one per equal key, in hash order
            })
        await propertyCheck(count: 300, input: keys) { keys in
            #expect(KeyOrder.sorted(keys) == keys.sorted())
        }
    }

    /// A short text from a small alphabet: NUL, two spellings of é, a four-byte scalar, the empty text.
    static func part<G: RandomNumberGenerator>(_ rng: inout G) -> String {
        let alphabet: [String] = ["a", "b", "é", "e\u{301}", "\0", "😀", "A", ""]
        let count = Int.random(in: 0...3, using: &rng)
        return (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined()
    }

    @Test func theRankedSortKeepsTwoSpellingsOfOneVenueApart() {
        // By bytes "cafe\u{301}" (65 CC 81) sorts before "caf\u{E9}" (C3 A9) whatever the accounts say; ranking the
        // two spellings as one venue would put account "a" first.
        let keys = [
            BalanceKey(venue: "caf\u{E9}", account: "a", asset: "BTC"),
            BalanceKey(venue: "cafe\u{301}", account: "b", asset: "BTC"),
            BalanceKey(venue: "cafe\u{301}", account: "c", asset: "BTC"),
        ]
        #expect(KeyOrder.sorted(keys).map(\.account) == ["b", "c", "a"])
        #expect(KeyOrder.sorted(keys.reversed()).map(\.account) == ["b", "c", "a"])
    }

    /// Two spellings of one venue beside a third: the order must be the same whatever order the keys come in (it was
    /// cyclic, so report lines and the digest changed between runs).
    @Test func twoSpellingsOfOneVenueOrderTheSameWayEveryTime() {
        let keys = [
            BalanceKey(venue: "caf\u{E9}", account: "a", asset: "BTC"),
            BalanceKey(venue: "cafe\u{301}", account: "b", asset: "BTC"),
            BalanceKey(venue: "caff", account: "c", asset: "BTC"),
        ]
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]].map { permutation in
            permutation.map { keys[$0] }.sorted().map(\.account)
        }
        #expect(Set(orders).count == 1)
        #expect(orders[0] == ["b", "c", "a"])
        for a in keys {
            for b in keys where a < b { #expect(!(b < a)) }
        }
    }
}
