import CacheClient
import CacheHTTP
import CacheMonitoring
import CacheRuntime
import CacheWarmup
import CoreMetrics
import ExamplePlatform
import Foundation
import Hummingbird
import Logging
import Prometheus
import RESP
import ServiceLifecycle

// Runs the example platform's eight warmup jobs against a Redis server (REDIS_URL), shows each
// job's status after start-up, after an event (`provider.updated` re-runs `reference-data`) and
// after a manual trigger, and serves the cache's routes (GET /metrics, /cache/health,
// /cache/alerts; POST /cache/invalidate, /cache/warmup/{job}) on HTTP_PORT with the bearer token
// DEMO_TOKEN. With SERVE=1 it keeps serving until interrupted. `scripts/warmup-demo` starts a
// server for it and queries the routes.

let environment = ProcessInfo.processInfo.environment
let users = Int(environment["USERS"] ?? "") ?? 20_000
let url = environment["REDIS_URL"] ?? "redis://127.0.0.1:6379"
let port = Int(environment["HTTP_PORT"] ?? "") ?? 8080
let token = environment["DEMO_TOKEN"] ?? "demo"

var logger = Logger(label: "warmup-demo")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
let registry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(CachePrometheus.factory(registry))
let redis = RedisClient(try RedisConfiguration(url: url), logger: logger)
let cache = CacheClient(redis: redis, logger: logger)
let runner = WarmupRunner(cache: cache, tasks: platformWarmupTasks(SampleData(users: users)), logger: logger)
let listener = UtilityCache.listener(cache: cache)
runner.follow(listener)
let services: [any CompiledServicePolicy.Type] = [
    AnalyticsCache.self, BillingCache.self, DocumentCache.self, NotificationCache.self, PaymentCache.self, UserCache.self, UtilityCache.self,
    WebhookCache.self,
]
let monitor = CacheMonitor(
    cache: cache, services: services.map { $0.policy }, warmup: runner, settings: .init(interval: .seconds(2), memory: .instance), logger: logger)

let router = Router()
CacheRoutes(cache: cache, monitor: monitor, warmup: runner, registry: registry, events: CacheEvents.all, services: services) { request, _ in
    request.headers[.authorization] == "Bearer \(token)"
}.add(to: router)
let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)

/// Prints unbuffered, so the script sees each line as it comes.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func printStatus(_ title: String) {
    say("\n== \(title)")
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
        say(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}

let group = ServiceGroup(
    configuration: .init(services: [.init(service: runner), .init(service: monitor), .init(service: application)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
let running = Task { try await group.run() }
let listening = Task { await listener.run() }
var ended = 0
var order: [String] = []
for await report in runner.runs {
    ended += 1
    order.append("\(report.job.name) (\(report.status.priority.rawValue))")
    switch ended {
    case 8:
        say("start-up order: \(order.joined(separator: " → "))")
        printStatus("after start-up: \(users) users")
        say("\npublishing provider.updated (utility's reference-data runs after it)")
        _ = try await cache.publish(ProviderUpdated(providerId: "gas-1", utilityType: .gas))
    case 9:
        printStatus("after provider.updated")
        say("\ntriggering notification/templates by hand")
        try runner.trigger("templates")
    default:
        break
    }
    if ended == 10 { break }
}
printStatus("after the manual trigger")
await monitor.check()
say("\nserving http://127.0.0.1:\(port)/metrics, /cache/health, /cache/alerts (Authorization: Bearer \(token))")
if environment["SERVE"] == nil { await group.triggerGracefulShutdown() }
try await running.value
listening.cancel()
await listening.value
await redis.shutdown()
