import Foundation

/// Lets at most `permits` tasks hold a permit at once; the others wait in order, without holding a
/// thread (for work that is heavy for a small machine: a multi-process topology, a `swiftc` run).
public final class AsyncSemaphore: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(permits: Int) {
        precondition(permits > 0, "a semaphore needs at least one permit")
        available = permits
    }

    /// Takes a permit, waiting for one if none is free. Each call is paired with a ``release()``.
    public func acquire() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if available > 0 {
                available -= 1
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    /// Gives a permit back: to the longest waiter, if any.
    public func release() {
        lock.lock()
        let next = waiting.isEmpty ? nil : waiting.removeFirst()
        if next == nil { available += 1 }
        lock.unlock()
        next?.resume()
    }

    /// Runs `body` holding a permit.
    public func withPermit<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
