import CacheClient
import CacheHTTP
import CacheMonitoring
import CacheRuntime
import CacheWarmup
import ExamplePlatform
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import RESP
import RedisTestSupport
import TestSupport
import Testing

let alice = UUID(uuidString: "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21")!
let token = "Bearer let-me-in"

/// The routes on a Hummingbird application (HummingbirdTesting), against a real redis-server.
@Suite("HTTP routes (real redis-server)", .hangLimit)
struct CacheRoutesTests {
    struct Loaders: PaymentCache.Loaders {
        func recentPayments(_ warmup: PaymentCache.RecentPaymentsWarmup) async throws {
            try await warmup.recent(userId: alice, value: RecentPayments(payments: []))
        }
    }

    /// An application with every route, the given authorisation, and the services' parts.
    func withApplication(
        authorize: CacheRoutes<BasicRequestContext>.Authorization? = nil,
        _ body: @Sendable (any TestClientProtocol, CacheClient, WarmupRunner, RedisServer) async throws -> Void
    ) async throws {
        try await withRedisServer { server in
            let registry = PrometheusCollectorRegistry()
            let factory = CachePrometheus.factory(registry)
            let redis = RedisClient(server.configuration, metrics: factory)
            let cache = CacheClient(redis: redis, metrics: factory)
            let runner = WarmupRunner(cache: cache, tasks: PaymentCache.warmupTasks(Loaders()), metrics: factory)
            let monitor = CacheMonitor(
                cache: cache, services: [PaymentCache.policy, UserCache.policy], warmup: runner, settings: .init(unreachableFor: .zero), metrics: factory)
            let router = Router()
            let routes: CacheRoutes<BasicRequestContext>
            if let authorize {
                routes = CacheRoutes(
                    cache: cache, monitor: monitor, warmup: runner, registry: registry, events: CacheEvents.all,
                    services: [PaymentCache.self, BillingCache.self], authorize: authorize)
            } else {
                routes = CacheRoutes(cache: cache, monitor: monitor, warmup: runner, registry: registry, events: CacheEvents.all)
            }
            routes.add(to: router)
            let application = Application(router: router)
            try await application.test(.router) { client in try await body(client, cache, runner, server) }
            await redis.shutdown()
        }
    }

    static let allowed: CacheRoutes<BasicRequestContext>.Authorization = { request, _ in request.headers[.authorization] == token }

    @Test func everyRouteIsDeniedByDefault() async throws {
        try await withApplication { client, _, _, _ in
            for (uri, method) in [("/metrics", HTTPRequest.Method.get), ("/cache/health", .get), ("/cache/alerts", .get), ("/cache/invalidate", .post),
                                  ("/cache/warmup/recent-payments", .post)] {
                try await client.execute(uri: uri, method: method, headers: [.authorization: token]) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
            }
        }
    }

    @Test func metricsHealthAndAlerts() async throws {
        try await withApplication(authorize: Self.allowed) { client, cache, _, _ in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .forbidden, "without the token") }
            let key = PaymentCache.recent(userId: alice)
            try await cache.set(key, RecentPayments(payments: []))
            _ = try await cache.get(key)
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: token]) { response in
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"cachepolicy_requests_total{service="payment",family="recent",operation="get",outcome="hit"} 1"#), "\(text)")
            }
            try await client.execute(uri: "/cache/health", method: .get, headers: [.authorization: token]) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/json")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let services = try #require(body["services"] as? [[String: Any]])
                #expect(services.map { $0["service"] as? String } == ["payment", "user"])
                #expect(services[0]["connected"] as? Bool == true && services[0]["hitRate"] as? Double == 1)
                #expect((services[0]["warmup"] as? [[String: Any]])?.first?["name"] as? String == "recent-payments")
            }
            try await client.execute(uri: "/cache/alerts", method: .get, headers: [.authorization: token]) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "[]")
            }
        }
    }

    /// An unreachable Redis makes the health route answer 503 with the critical alert.
    @Test func healthIsUnavailableWhenCritical() async throws {
        try await withApplication(authorize: Self.allowed) { client, _, _, server in
            server.stop()
            try await client.execute(uri: "/cache/health", method: .get, headers: [.authorization: token]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""status":"critical""#))
            }
        }
    }

    /// An event by name with its JSON payload: validated against the generated type, this
    /// process's plans applied, then published for every other service.
    @Test func invalidateAppliesThePlansAndPublishes() async throws {
        try await withApplication(authorize: Self.allowed) { client, cache, _, _ in
            let key = PaymentCache.recent(userId: alice)
            try await cache.set(key, RecentPayments(payments: []))
            let payload = #"{"event": "payment.succeeded", "payload": {"paymentId": "00000000-0000-4000-8000-000000000001", "userId": "3F2B8C1E-9A4D-4E2B-8F1A-0C6D5E4B3A21", "billId": "00000000-0000-4000-8000-000000000002", "amountCents": 1200}}"#
            try await client.execute(uri: "/cache/invalidate", method: .post, headers: [.authorization: token], body: ByteBuffer(string: payload)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["event"] as? String == "payment.succeeded" && (body["streamEntry"] as? String)?.contains("-") == true)
                let applied = try #require(body["applied"] as? [String: [String: Int]])
                #expect(Set(applied.keys) == ["payment", "billing"] && applied["payment"]?["keys"] == 1)
            }
            #expect(try await cache.get(key) == nil, "the payment service's plan removed the entry")
            let length = try await cache.redis.send(RESPCommand("XLEN", EventBus.stream(for: "payment.succeeded"))).int
            #expect(length == 1, "published for the other services")

            let bad: [(String, HTTPResponse.Status, String)] = [
                (#"{"event": "payment.succeeded", "payload": {"userId": "not-a-uuid"}}"#, .badRequest, "not a valid payment.succeeded"),
                (#"{"event": "payment.refunded", "payload": {}}"#, .notFound, "no event named payment.refunded"),
                (#"{"payload": {}}"#, .badRequest, "expected a JSON object"),
                ("not json", .badRequest, "expected a JSON object"),
            ]
            for (body, status, message) in bad {
                try await client.execute(uri: "/cache/invalidate", method: .post, headers: [.authorization: token], body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status, "\(body)")
                    #expect(String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
                }
            }
        }
    }

    @Test func warmupJobsCanBeTriggered() async throws {
        try await withApplication(authorize: Self.allowed) { client, cache, runner, _ in
            let running = Task { try await runner.run() }
            var runs = runner.runs.makeAsyncIterator()
            #expect(await runs.next()?.trigger == .startup)
            try await client.execute(uri: "/cache/warmup/recent-payments", method: .post, headers: [.authorization: token]) { response in
                #expect(response.status == .accepted && String(buffer: response.body).contains("payment/recent-payments"))
            }
            #expect(await runs.next()?.trigger == .manual)
            try await client.execute(uri: "/cache/warmup/nope", method: .post, headers: [.authorization: token]) { response in
                #expect(response.status == .notFound)
            }
            running.cancel()
            try await running.value
            #expect(try await cache.get(PaymentCache.recent(userId: alice)) == RecentPayments(payments: []))
        }
    }
}
