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
            // Chunks rather than single elements: a handful of tasks per core keeps the load even
            // without paying a dispatch per element.
            let chunkCount = min(elements.count, 64)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let start = elements.count * chunk / chunkCount
                let end = elements.count * (chunk + 1) / chunkCount
                for index in start..<end { slots[index] = transform(elements[index]) }
            }
        }
        return results.map { $0! }
    }
}
