import NIOCore

/// The state machine of a connection's requests, a plain value with no I/O: which caller each
/// reply belongs to (replies come in request order), batches collecting their replies, cancelled
/// requests whose replies must still be read and dropped, the oldest request for the timeout, and
/// closing. ``RESPRequestHandler`` executes its actions: it resumes the callers and writes bytes.
///
/// Generic over the callers' continuations so tests drive it with plain values.
struct RequestQueue<Single, Batch> {
    enum Entry {
        case single(Single, sentAt: NIODeadline, id: UInt64)
        case batch(Batch, expected: Int, sentAt: NIODeadline, id: UInt64)
        /// A cancelled request whose caller has been resumed: its `expected` replies are read and
        /// dropped, so the replies after it still reach their callers.
        case abandoned(expected: Int, sentAt: NIODeadline)

        var sentAt: NIODeadline {
            switch self {
            case .single(_, let sent, _), .batch(_, _, let sent, _), .abandoned(_, let sent): sent
            }
        }

        var id: UInt64? {
            switch self {
            case .single(_, _, let id), .batch(_, _, _, let id): id
            case .abandoned: nil
            }
        }
    }

    private(set) var entries = CircularBuffer<Entry>(initialCapacity: 16)
    /// Replies collected for the batch at the head (only the head receives replies).
    private var batchReplies: [RESPValue] = []
    /// Replies dropped so far for the abandoned request at the head.
    private var headDropped = 0

    var isEmpty: Bool { entries.isEmpty }
    /// When the oldest waiting request was sent: the command timeout is measured from it.
    var oldestSentAt: NIODeadline? { entries.first?.sentAt }

    mutating func enqueue(_ single: Single, id: UInt64, at now: NIODeadline) {
        entries.append(.single(single, sentAt: now, id: id))
    }

    mutating func enqueue(_ batch: Batch, expected: Int, id: UInt64, at now: NIODeadline) {
        entries.append(.batch(batch, expected: expected, sentAt: now, id: id))
    }

    enum ReplyAction {
        case resumeSingle(Single, RESPValue)
        case resumeBatch(Batch, [RESPValue])
        /// Collected for a batch, or dropped for a cancelled request: nobody to resume yet.
        case none
        /// A reply with no request waiting: the connection is out of step and must close.
        case unsolicited
    }

    /// A reply arrived (in order).
    mutating func received(_ value: RESPValue) -> ReplyAction {
        guard let first = entries.first else { return .unsolicited }
        switch first {
        case .single(let continuation, _, _):
            entries.removeFirst()
            return .resumeSingle(continuation, value)
        case .abandoned(let expected, _):
            headDropped += 1
            guard headDropped == expected else { return .none }
            headDropped = 0
            entries.removeFirst()
            return .none
        case .batch(let continuation, let expected, _, _):
            if batchReplies.isEmpty { batchReplies.reserveCapacity(expected) }
            batchReplies.append(value)
            guard batchReplies.count == expected else { return .none }
            entries.removeFirst()
            let replies = batchReplies
            batchReplies = []
            return .resumeBatch(continuation, replies)
        }
    }

    enum CancelAction {
        case failSingle(Single)
        case failBatch(Batch)
        /// Already answered, already cancelled, or never queued here.
        case none
    }

    /// The caller of request `id` gave up: it is resumed now (by the handler, with the returned
    /// continuation), and its replies are dropped when they arrive.
    mutating func cancel(id: UInt64) -> CancelAction {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { return .none }
        let entry = entries[index]
        switch entry {
        case .single(let continuation, let sent, _):
            entries[index] = .abandoned(expected: 1, sentAt: sent)
            return .failSingle(continuation)
        case .batch(let continuation, let expected, let sent, _):
            if index == entries.startIndex {
                // Part of its replies may have arrived already.
                headDropped = batchReplies.count
                batchReplies = []
            }
            entries[index] = .abandoned(expected: expected, sentAt: sent)
            return .failBatch(continuation)
        case .abandoned:
            return .none
        }
    }

    /// The connection failed or closed: every waiting request, for the handler to fail.
    mutating func removeAll() -> CircularBuffer<Entry> {
        let all = entries
        entries.removeAll()
        batchReplies = []
        headDropped = 0
        return all
    }
}
