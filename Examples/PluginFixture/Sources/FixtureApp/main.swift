import BookModels
import CacheRuntime
import Foundation

// Calls the API the build plugin generated from policies/bookstore.yaml; exits non-zero on a mismatch.

struct Loaders: BookstoreCache.Loaders {
    func bestsellers(_ warmup: BookstoreCache.BestsellersWarmup) async throws {
        try await warmup.book(isbn: "978-0:1", shelf: .fiction, value: Book(title: "Dune"))
    }
}

func check(_ condition: Bool, _ what: String) {
    if !condition {
        print("FAIL: \(what)")
        exit(1)
    }
}

let key = BookstoreCache.book(isbn: "978-0:1", shelf: .science)
check(key.key == "bookstore:book:978-0%3A1", "key \(key.key)")
check(key.tags == ["#tag:bookstore:shelf:science"], "tags \(key.tags)")
check(BookstoreCache.book(isbn: "x").key == "bookstore:book:x", "read-only builder")
let plan = BookstoreCache.plan(for: BookRestocked(isbn: "978-0:1", shelf: .fiction))
check(plan.keys == ["bookstore:book:978-0%3A1", "bookstore:shelf:fiction"], "plan \(plan)")
let shelf: CacheKey<[Book]> = BookstoreCache.shelf(shelf: .fiction)
check(try shelf.decode(shelf.encode([Book(title: "Dune")])) == [Book(title: "Dune")], "array value type")
check(CacheEvents.consumers["book.restocked"] == ["bookstore"], "events table")
let discontinued = BookstoreCache.plan(for: BookDiscontinued(isbn: "978-0:1"))
check(discontinued.keys == ["bookstore:book:978-0%3A1"] && discontinued.indexes == ["#idx:bookstore:bookstore:shelf:*"] && discontinued.patterns.isEmpty, "plan for a referenced event \(discontinued)")
check(BookDiscontinued.producer == "catalog", "the referenced event keeps its producer")
let entries = try await BookstoreCache.warmupTasks(Loaders())[0].collect()
check(try key.decode(entries[0].value) == Book(title: "Dune"), "warmup entry")
print("plugin fixture OK: \(key.key), \(plan.keys.count) key(s) in the plan, \(entries.count) warmup entry")
