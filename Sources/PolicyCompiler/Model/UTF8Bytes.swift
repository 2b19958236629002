import Foundation

/// Text compared and hashed as its UTF-8 bytes, as Redis compares keys: Swift's `String ==` treats
/// canonically equivalent text (`é` and `e` + U+0301) as equal, which keys are not.
struct UTF8Bytes: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    let text: String

    init(_ text: String) { self.text = text }

    init(stringLiteral text: String) { self.text = text }

    static func == (a: UTF8Bytes, b: UTF8Bytes) -> Bool {
        guard a.text.utf8.count == b.text.utf8.count else { return false }
        // Native strings are contiguous UTF-8: one memory comparison.
        let contiguous = a.text.utf8.withContiguousStorageIfAvailable { x in
            b.text.utf8.withContiguousStorageIfAvailable { y in
                x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return a.text.utf8.elementsEqual(b.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.makeContiguousUTF8()
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    var description: String { text }
}
