import CacheClient
import CacheMonitoring
import CacheRuntime
import CacheWarmup
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Prometheus

/// The cache's HTTP routes for a Hummingbird service, every one behind `authorize` (which denies
/// everything unless the application says otherwise):
///
/// | route | answer |
/// |---|---|
/// | `GET /metrics` | the Prometheus registry's text exposition |
/// | `GET /cache/health` | the monitor's ``HealthReport``s (JSON; 503 when an alert is critical) |
/// | `GET /cache/alerts` | the alerts firing now (JSON) |
/// | `POST /cache/invalidate` | `{"event": name, "payload": {…}}`: the payload is validated against the event's generated type, this process's services apply their plans, and the event is published for every other service |
/// | `POST /cache/warmup/{job}` | runs a warmup job now (`?service=` when the name is not unique) |
///
/// ```swift
/// let router = Router()
/// CacheRoutes(cache: cache, monitor: monitor, warmup: runner, registry: registry, events: CacheEvents.all,
///             services: [PaymentCache.self]) { request, _ in request.headers[.authorization] == "Bearer \(token)" }
///     .add(to: router)
/// ```
public struct CacheRoutes<Context: RequestContext>: Sendable {
    public typealias Authorization = @Sendable (Request, Context) async throws -> Bool

    public let cache: CacheClient
    public let monitor: CacheMonitor?
    public let warmup: WarmupRunner?
    public let registry: PrometheusCollectorRegistry?
    /// Events `POST /cache/invalidate` accepts, by name (the generated `CacheEvents.all`).
    public let events: [String: any CacheEvent.Type]
    /// The services of this process whose plans `POST /cache/invalidate` applies before publishing.
    public let services: [any CompiledServicePolicy.Type]
    private let authorize: Authorization

    /// - Parameter authorize: decides whether a request may use the routes; the default denies all.
    public init(
        cache: CacheClient, monitor: CacheMonitor? = nil, warmup: WarmupRunner? = nil, registry: PrometheusCollectorRegistry? = nil,
        events: [any CacheEvent.Type] = [], services: [any CompiledServicePolicy.Type] = [],
        authorize: @escaping Authorization = { _, _ in false }
    ) {
        self.cache = cache
        self.monitor = monitor
        self.warmup = warmup
        self.registry = registry
        self.events = Dictionary(events.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.services = services
        self.authorize = authorize
    }

    /// Adds the routes to a router (or a group of one).
    public func add(to router: some RouterMethods<Context>) {
        let routes = router.group().add(middleware: AuthorizationMiddleware(authorize: authorize))
        routes.get("metrics") { _, _ in try self.metrics() }
        routes.get("cache/health") { _, _ in try await self.health() }
        routes.get("cache/alerts") { _, _ in try self.alerts() }
        routes.post("cache/invalidate") { request, _ in try await self.invalidate(request) }
        routes.post("cache/warmup/{job}") { request, context in try self.triggerWarmup(request, job: try context.parameters.require("job")) }
    }

    // MARK: Handlers

    func metrics() throws -> Response {
        guard let registry else { throw HTTPError(.notFound, message: "no Prometheus registry is configured") }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    func health() async throws -> Response {
        guard let monitor else { throw HTTPError(.notFound, message: "no cache monitor is configured") }
        var reports = monitor.health()
        if reports.isEmpty { reports = await monitor.check() }
        let critical = reports.contains { $0.status == "critical" }
        return try json(HealthBody(status: critical ? "critical" : reports.allSatisfy { $0.status == "ok" } ? "ok" : "degraded", services: reports),
                        status: critical ? .serviceUnavailable : .ok)
    }

    func alerts() throws -> Response {
        guard let monitor else { throw HTTPError(.notFound, message: "no cache monitor is configured") }
        return try json(monitor.firingAlerts())
    }

    func invalidate(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any], let name = object["event"] as? String
        else { throw HTTPError(.badRequest, message: "expected a JSON object {\"event\": name, \"payload\": {…}}") }
        guard let type = events[name] else { throw HTTPError(.notFound, message: "no event named \(name)") }
        guard let payload = object["payload"], JSONSerialization.isValidJSONObject(payload) else {
            throw HTTPError(.badRequest, message: "\(name) needs a JSON object \"payload\"")
        }
        let data = try JSONSerialization.data(withJSONObject: payload)
        return try json(try await apply(type, data), status: .ok)
    }

    /// Validates the payload as `E`, applies this process's plans, then publishes it.
    private func apply<E: CacheEvent>(_ type: E.Type, _ payload: Data) async throws -> InvalidationBody {
        let event: E
        do {
            event = try JSONDecoder().decode(E.self, from: payload)
        } catch {
            throw HTTPError(.badRequest, message: "the payload is not a valid \(E.name): \(Self.describe(error))")
        }
        let canonical = try JSONEncoder().encode(event)
        var applied: [String: InvalidationBody.Applied] = [:]
        for service in services {
            guard let plan = try service.plan(forEvent: E.name, payload: canonical) else { continue }
            let result = try await cache.invalidate(plan)
            applied[service.policy.name] = .init(keys: result.keys, tagMembers: result.tagMembers, indexMembers: result.indexMembers, patternMatches: result.patternMatches)
        }
        let published = try await cache.publish(event)
        return InvalidationBody(event: E.name, streamEntry: published.streamEntry, applied: applied)
    }

    func triggerWarmup(_ request: Request, job: String) throws -> Response {
        guard let warmup else { throw HTTPError(.notFound, message: "no warmup runner is configured") }
        do {
            let id = try warmup.trigger(job, service: request.uri.queryParameters["service"].map(String.init))
            return try json(["job": id.description, "state": "requested"], status: .accepted)
        } catch let error as WarmupError {
            switch error {
            case .unknownJob: throw HTTPError(.notFound, message: error.description)
            default: throw HTTPError(.conflict, message: error.description)
            }
        }
    }

    // MARK: Bodies

    struct HealthBody: Encodable {
        let status: String
        let services: [HealthReport]
    }

    struct InvalidationBody: Encodable {
        struct Applied: Encodable {
            let keys, tagMembers, indexMembers, patternMatches: Int
        }

        let event: String
        let streamEntry: String
        /// Per service of this process: what its plan removed.
        let applied: [String: Applied]
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    /// A decoding error as a sentence: what is wrong, and where in the payload.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "" : " at '\(keys)'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return context.debugDescription + path(context)
        @unknown default: return "\(error)"
        }
    }
}

/// Answers 403 to every request the application's check does not allow.
struct AuthorizationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authorize: CacheRoutes<Context>.Authorization

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try await authorize(request, context) else { throw HTTPError(.forbidden, message: "not allowed") }
        return try await next(request, context)
    }
}
