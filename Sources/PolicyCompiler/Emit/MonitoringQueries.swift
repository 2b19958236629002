/// The PromQL both `cachepolicy alerts` and `cachepolicy dashboard` use for a service, over the
/// runtime's metrics (docs/metrics.md), so the rules, the dashboard and the in-process alert
/// evaluation measure the same thing: hits are `hit` and `near_hit` outcomes, misses `miss`,
/// `loaded` and `coalesced`, errors `error` and `degraded`, over all operations.
struct MonitoringQueries {
    let service: String
    /// The rate window, e.g. `1m` (the runtime's statistics window is one minute by default).
    let window: String

    private var selector: String { "service=\"\(service)\"" }

    var hitRate: String {
        "sum(rate(cachepolicy_requests_total{\(selector),outcome=~\"hit|near_hit\"}[\(window)]))"
            + " / sum(rate(cachepolicy_requests_total{\(selector),outcome=~\"hit|near_hit|miss|loaded|coalesced\"}[\(window)]))"
    }

    var errorRate: String {
        "sum(rate(cachepolicy_requests_total{\(selector),outcome=~\"error|degraded\"}[\(window)]))"
            + " / sum(rate(cachepolicy_requests_total{\(selector)}[\(window)]))"
    }

    func latency(quantile: Double) -> String {
        "histogram_quantile(\(quantile), sum by (le) (rate(cachepolicy_request_duration_seconds_bucket{\(selector)}[\(window)])))"
    }

    var memoryUsed: String { "max(cachepolicy_memory_used_bytes{\(selector)})" }

    var redisUp: String { "min(cachepolicy_redis_up{\(selector)})" }

    var errorsByKind: String { "sum by (kind) (rate(cachepolicy_errors_total{\(selector)}[\(window)]))" }

    var requestsByOperation: String { "sum by (operation) (rate(cachepolicy_requests_total{\(selector)}[\(window)]))" }

    var evictions: String { "sum(rate(cachepolicy_redis_evicted_keys_total[\(window)]))" }

    var warmupRuns: String { "sum by (job, outcome) (increase(cachepolicy_warmup_runs_total{\(selector)}[1h]))" }

    var warmupAge: String { "time() - max by (job) (cachepolicy_warmup_last_success_timestamp_seconds{\(selector)})" }

    /// PromQL's number syntax for a threshold: `0.7`, `1`, `0.05`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
