import CacheClient
import CacheMonitoring
import CacheRuntime
import CacheWarmup
import ExamplePlatform
import Foundation
import Logging
import MetricsTestKit
import Prometheus
import RESP
import RedisTestSupport
import TestSupport
import Testing

let alice = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!

/// Health reports and alerts against a real redis-server.
// Topologies take turns (TopologyGate): the limit covers the wait for the others.
@Suite("Cache monitor (real redis-server)", .timeLimit(.minutes(6)))
struct CacheMonitorTests {
    /// The payment service with a hit-rate alert that holds 200 ms and a 1 MiB budget.
    static let payment = ServicePolicy(
        name: "payment", memoryBudget: 1 << 20,
        alerts: AlertThresholds(hitRateBelow: 0.5, memoryAbove: 0.8, holdFor: [.hitRate: .milliseconds(200), .memory: .zero]),
        families: PaymentCache.policy.families)

    @Test func reportsCarryTrafficMemoryAndWarmup() async throws {
        try await withRedisServer { server in
            let metrics = TestMetrics()
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis)
            let key = PaymentCache.recent(userId: alice)
            try await cache.set(key, RecentPayments(payments: []))
            for _ in 0..<3 { _ = try await cache.get(key) }
            _ = try await cache.get(PaymentCache.recent(userId: UUID()))
            let runner = WarmupRunner(cache: cache, tasks: PaymentCache.warmupTasks(Loaders()))
            let monitor = CacheMonitor(
                cache: cache, services: [Self.payment], warmup: runner, settings: .init(memory: .instance), metrics: metrics)
            let report = try #require(await monitor.check().first)
            #expect(report.service == "payment" && report.connected && report.breaker == "closed")
            #expect(report.requests == 5 && report.hitRate == 0.75 && report.errorRate == 0)
            #expect(report.p50Seconds != nil && report.p99Seconds! >= report.p50Seconds!)
            let memory = try #require(report.memory)
            #expect(memory.source == "instance" && memory.budgetBytes == 1 << 20 && memory.usedBytes > 0)
            #expect(report.warmup.map(\.name) == ["recent-payments"] && report.warmup[0].state == "idle" && report.warmup[0].lastOutcome == nil, "the runner has not started")
            // A Redis instance uses more than 1 MiB: the memory alert (for: 0) fires at once.
            #expect(report.alerts.map(\.name) == [.memory] && report.status == "degraded")
            #expect(try metrics.expectGauge("cachepolicy_redis_used_memory_bytes").lastValue ?? 0 > 0)
            #expect(try metrics.expectCounter("cachepolicy_redis_keyspace_hits_total").totalValue >= 3)
            // The report is JSON for `GET /cache/health`.
            let json = try JSONEncoder().encode(report)
            let decoded = try JSONDecoder().decode(HealthReport.self, from: json)
            #expect(decoded == report)
            #expect(String(decoding: json, as: UTF8.self).contains("\"status\":\"degraded\""))
            await redis.shutdown()
        }
    }

    /// With shared instances, memory comes from an audit's estimate (`setMemoryEstimate`).
    @Test func memoryFromAnAuditEstimate() async throws {
        try await withRedisServer { server in
            let redis = RedisClient(server.configuration)
            let monitor = CacheMonitor(cache: CacheClient(redis: redis), services: [Self.payment])
            #expect(await monitor.check().first?.memory == nil, "no estimate yet")
            monitor.setMemoryEstimate(900 * 1024, service: "payment")
            let report = try #require(await monitor.check().first)
            let memory = try #require(report.memory)
            #expect(memory.source == "estimate" && memory.usedBytes == 900 * 1024 && memory.budgetBytes == 1 << 20 && memory.share == 900.0 / 1024)
            #expect(report.alerts.map(\.name) == [.memory], "above 80% of the budget, `for: 0`")
            await redis.shutdown()
        }
    }

    /// On a cluster the service's memory is every primary's.
    @Test func aClustersMemoryIsEveryPrimarysSum() async throws {
        try await withRedisCluster(primaries: 3) { cluster in
            let redis = RedisClusterClient(seeds: [("127.0.0.1", cluster.nodes[0].port)])
            let monitor = CacheMonitor(cache: CacheClient(redis: redis), services: [Self.payment], settings: .init(memory: .instance))
            var total = 0
            for node in cluster.nodes {
                let connection = try await RedisConnection.connect(RedisConfiguration(port: node.port))
                total += RedisInfo(parsing: try await connection.send(RESPCommand("INFO", "all")).string ?? "")?.usedMemory ?? 0
                await connection.close()
            }
            let used = try #require(await monitor.check().first?.memory?.usedBytes)
            #expect(used > total / 2 && used < total * 2, "\(used) is the three primaries' sum, about \(total), not one node's")
            #expect(used > total / 3 * 2, "more than any one primary")
            await redis.shutdown()
        }
    }

    struct Loaders: PaymentCache.Loaders {
        func recentPayments(_ warmup: PaymentCache.RecentPaymentsWarmup) async throws {}
    }

    /// The hit-rate alert fires once its condition held for its `for`, is logged and streamed, and
    /// resolves on its own when reads hit again.
    @Test func alertsFireAfterTheirDurationAndResolve() async throws {
        try await withRedisServer { server in
            let redis = RedisClient(server.configuration)
            let cache = CacheClient(redis: redis, statisticsWindow: .seconds(1))
            let log = LogCollector()
            let monitor = CacheMonitor(cache: cache, services: [Self.payment], logger: log.logger)
            var transitions = monitor.transitions.makeAsyncIterator()
            for _ in 0..<10 { _ = try await cache.get(PaymentCache.recent(userId: UUID())) }
            #expect(await monitor.check().first?.alerts.isEmpty == true, "pending: the condition has not held for 200 ms")
            // Fires once the condition held 200 ms; a loaded machine may need a few more checks
            // (each with fresh misses, so the one-second window never empties).
            var fired: Alert?
            for _ in 0..<40 where fired == nil {
                try await Task.sleep(for: .milliseconds(100))
                for _ in 0..<10 { _ = try await cache.get(PaymentCache.recent(userId: UUID())) }
                fired = await monitor.check().first?.alerts.first
            }
            let firing = try #require(fired)
            #expect(firing.name == .hitRate && firing.observed == 0 && firing.condition == "hit rate below 50%")
            guard case .fired(let fired)? = await transitions.next() else { Issue.record("no transition"); return }
            #expect(fired.name == .hitRate)
            #expect(await monitor.check().first?.alerts.count == 1, "still firing, not reported again")
            // Reads hit again once the misses left the one-second window.
            let key = PaymentCache.recent(userId: alice)
            try await cache.set(key, RecentPayments(payments: []))
            try await Task.sleep(for: .milliseconds(2_100))
            for _ in 0..<5 { _ = try await cache.get(key) }
            #expect(await monitor.check().first?.alerts.isEmpty == true)
            guard case .resolved(let resolved)? = await transitions.next() else { Issue.record("no resolution"); return }
            #expect(resolved.name == .hitRate && resolved.observed == 1)
            #expect(log.messages.contains("warning cache alert firing: hit rate below 50%"), "\(log.messages)")
            #expect(log.messages.contains("info cache alert resolved: hit rate below 50%"))
            await redis.shutdown()
        }
    }

    /// Redis unreachable is the critical alert; it resolves when Redis is back.
    @Test func anUnreachableRedisIsCritical() async throws {
        try await withRedisServer { server in
            let redis = RedisClient(server.configuration, reconnectPolicy: ReconnectPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
            let cache = CacheClient(redis: redis)
            let log = LogCollector()
            let monitor = CacheMonitor(cache: cache, services: [Self.payment], settings: .init(unreachableFor: .zero), logger: log.logger)
            #expect(await monitor.check().first?.connected == true)
            server.stop()
            let down = try #require(await monitor.check().first)
            #expect(!down.connected && down.status == "critical" && down.alerts.map(\.name).contains(.redisUnreachable))
            #expect(log.messages.contains("critical cache alert firing: Redis unreachable"))
            try await server.restart()
            var back = false
            for _ in 0..<100 where !back {
                back = await monitor.check().first?.connected == true
                if !back { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(back && monitor.firingAlerts().allSatisfy { $0.name != .redisUnreachable })
            await redis.shutdown()
        }
    }

    /// The Prometheus exposition, scraped and parsed back: names and types follow Prometheus
    /// conventions, labels are the policy's names, and every metric is documented.
    @Test func prometheusScrapeParsesBackAndIsDocumented() async throws {
        try await withRedisServer { server in
            let registry = PrometheusCollectorRegistry()
            let factory = CachePrometheus.factory(registry)
            let redis = RedisClient(server.configuration, metrics: factory)
            let cache = CacheClient(redis: redis, metrics: factory)
            let key = PaymentCache.recent(userId: alice)
            try await cache.set(key, RecentPayments(payments: []))
            _ = try await cache.get(key)
            _ = try await cache.fetch(PaymentCache.recent(userId: UUID())) { RecentPayments(payments: []) }
            try await cache.publish(PaymentSucceeded(paymentId: UUID(), userId: alice, billId: alice, amountCents: 1), applyingPlanOf: PaymentCache.self)
            let runner = WarmupRunner(cache: cache, tasks: PaymentCache.warmupTasks(Loaders()), metrics: factory)
            let running = Task { try await runner.run() }
            for await _ in runner.runs { break }
            running.cancel()
            try await running.value
            _ = await CacheMonitor(cache: cache, services: [Self.payment], metrics: factory).check()

            let scrape = Scrape(registry.emitToString())
            #expect(scrape.value("cachepolicy_requests_total", ["service": "payment", "family": "recent", "operation": "get", "outcome": "hit"]) == 1)
            #expect(scrape.value("cachepolicy_requests_total", ["family": "recent", "operation": "fetch", "outcome": "loaded"]) == 1)
            #expect(scrape.value("cachepolicy_request_duration_seconds_count", ["family": "recent", "operation": "get"]) == 1)
            #expect(scrape.value("cachepolicy_request_duration_seconds_bucket", ["family": "recent", "operation": "get", "le": "+Inf"]) == 1)
            #expect(scrape.samples.contains { $0.name == "cachepolicy_request_duration_seconds_bucket" && $0.labels["le"] == "0.0001" })
            #expect(scrape.value("cachepolicy_warmup_runs_total", ["job": "recent-payments", "outcome": "succeeded"]) == 1)
            #expect((scrape.value("cachepolicy_redis_used_memory_bytes", [:]) ?? 0) > 0)
            #expect(scrape.value("cachepolicy_redis_up", ["service": "payment"]) == 1)
            #expect(scrape.value("cachepolicy_memory_budget_bytes", ["service": "payment"]) == Double(1 << 20))
            #expect(scrape.value("cachepolicy_events_published_total", ["event": "payment.succeeded"]) == 1)
            #expect(scrape.value("cachepolicy_redis_connects_total", ["outcome": "ok"]) == 1)
            for (name, type) in scrape.types {
                switch type {
                case "counter": #expect(name.hasSuffix("_total"), "\(name)")
                case "histogram": #expect(name.hasSuffix("_seconds"), "\(name)")
                default: #expect(type == "gauge", "\(name): \(type)")
                }
                #expect(name.hasPrefix("cachepolicy_"))
            }
            let documented = try String(contentsOfFile: SwiftTypecheck.packageRoot + "/docs/metrics.md", encoding: .utf8)
            for name in scrape.types.keys { #expect(documented.contains("`\(name)`"), "\(name) is not in docs/metrics.md") }
            await redis.shutdown()
        }
    }
}

/// The Prometheus text format, parsed back: `# TYPE` lines and samples.
struct Scrape {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    var types: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let brace = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<brace])
                let body = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                for pair in body.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// The sum of the samples of `name` whose labels include `labels`, or `nil` if there is none.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }
}
