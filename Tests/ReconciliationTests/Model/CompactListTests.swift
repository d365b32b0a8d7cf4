import Testing

@testable import Reconciliation

@Suite struct CompactListTests {
    @Test func holdsWhatItWasGivenWhateverItsSize() {
        for elements: [Int] in [[], [7], [7, 3], [1, 2, 3, 4]] {
            let list = CompactList(elements)
            #expect(Array(list) == elements)
            #expect(list.count == elements.count && list.isEmpty == elements.isEmpty)
            #expect(list.map { $0 * 2 } == elements.map { $0 * 2 })
            // Made from an array, an array slice or one element: equal lists, equal hashes.
            let again = CompactList(elements[...])
            #expect(again == list && again.hashValue == list.hashValue)
        }
        #expect(CompactList(single: 5) == [5])
        #expect(CompactList([5]) != [5, 5])
        #expect(CompactList<Int>([]) == [])
        #expect(Set([CompactList([1, 2]), CompactList([1, 2]), CompactList(single: 1)]).count == 2)
    }
}
