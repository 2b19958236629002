import CacheClient
import CacheWarmup
import ExamplePlatform
import Foundation
import Logging
import RESP

// Runs the example platform's eight warmup jobs against a Redis server (REDIS_URL), shows each
// job's status after start-up, after an event (`provider.updated` re-runs `reference-data`) and
// after a manual trigger, then shuts down. `scripts/warmup-demo` starts a server for it.

let environment = ProcessInfo.processInfo.environment
let users = Int(environment["USERS"] ?? "") ?? 20_000
let url = environment["REDIS_URL"] ?? "redis://127.0.0.1:6379"

var logger = Logger(label: "warmup-demo")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
let redis = RedisClient(try RedisConfiguration(url: url), logger: logger)
let cache = CacheClient(redis: redis, logger: logger)
let runner = WarmupRunner(cache: cache, tasks: platformWarmupTasks(SampleData(users: users)), logger: logger)
let listener = UtilityCache.listener(cache: cache)
runner.follow(listener)

func printStatus(_ title: String) {
    print("\n== \(title)")
    let header = ["job", "priority", "last run", "trigger", "entries", "batches", "retried", "peak in flight", "peak held", "took", "next run in"]
    let rows = runner.status().map { status -> [String] in
        let took = status.lastDuration.map { String(format: "%.0f ms", Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15) } ?? "-"
        let next = status.nextRun.map { String(format: "%.0f s", $0.timeIntervalSinceNow) } ?? "-"
        return [
            status.id.description, status.priority.rawValue, status.lastOutcome?.description ?? "\(status.state)",
            status.lastTrigger?.description ?? "-", "\(status.entriesWritten)", "\(status.batchesWritten)", "\(status.batchesRetried)",
            "\(status.peakBatchesInFlight)", "\(status.peakEntriesHeld)", took, next,
        ]
    }
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
    for row in [header] + rows {
        print(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}

let running = Task { try await runner.run() }
let listening = Task { await listener.run() }
var ended = 0
var order: [String] = []
for await report in runner.runs {
    ended += 1
    order.append("\(report.job.name) (\(report.status.priority.rawValue))")
    switch ended {
    case 8:
        print("start-up order: \(order.joined(separator: " → "))")
        printStatus("after start-up: \(users) users")
        print("\npublishing provider.updated (utility's reference-data runs after it)")
        _ = try await cache.publish(ProviderUpdated(providerId: "gas-1", utilityType: .gas))
    case 9:
        printStatus("after provider.updated")
        print("\ntriggering notification/templates by hand")
        try runner.trigger("templates")
    default:
        break
    }
    if ended == 10 { break }
}
printStatus("after the manual trigger")
running.cancel()
listening.cancel()
try await running.value
await listening.value
await redis.shutdown()
