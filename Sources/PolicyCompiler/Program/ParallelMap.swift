import Dispatch

/// `map` over independent elements on all cores, results in input order. The transform must not
/// share mutable state between elements; each result slot is written by exactly one iteration.
enum ParallelMap {
    /// Below this many elements the work runs inline: threads cost more than they save.
    static let minimumForThreads = 2

    static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        guard elements.count >= minimumForThreads else { return elements.map(transform) }
        var results = [Result?](repeating: nil, count: elements.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            forEachChunk(of: elements.count) { range in
                for index in range { slots[index] = transform(elements[index]) }
            }
        }
        return results.map { $0! }
    }

    /// Drops `elements` on all cores: each element's last reference is released by the thread that
    /// owns its chunk, so tearing down a large object graph (every decoded service of a platform)
    /// costs its share of the wall time instead of all of it on the caller's thread.
    ///
    /// An element still referenced elsewhere is only released here, not deallocated.
    static func release<Element: Sendable>(_ elements: consuming [Element]) {
        guard elements.count >= minimumForThreads else { return }
        // Moved into optional slots, so the array's buffer no longer holds them: the slots are then
        // each element's only reference from here.
        var slots = elements.map(Optional.some)
        elements = []
        slots.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            forEachChunk(of: slots.count) { range in
                for index in range { slots[index] = nil }
            }
        }
    }

    /// Splits `0..<count` into chunks run on all cores: a handful of tasks per core keeps the load
    /// even without paying a dispatch per element.
    private static func forEachChunk(of count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunkCount = min(count, 64)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            body(count * chunk / chunkCount..<count * (chunk + 1) / chunkCount)
        }
    }
}
