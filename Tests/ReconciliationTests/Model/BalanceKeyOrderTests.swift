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
