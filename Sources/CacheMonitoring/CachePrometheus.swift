import CacheClient
import CoreMetrics
import Prometheus

/// Prometheus exposition of the runtime's metrics through swift-prometheus, with histogram
/// buckets sized for a cache (sub-millisecond reads, minute-long warmup runs).
///
/// ```swift
/// let registry = PrometheusCollectorRegistry()
/// MetricsSystem.bootstrap(CachePrometheus.factory(registry))
/// // GET /metrics: registry.emitToString()
/// ```
public enum CachePrometheus {
    /// Buckets of request, loader and invalidation durations: 100 µs to 2.5 s.
    public static let requestBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2) + .microseconds(500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2_500),
    ]

    /// Buckets of warmup run durations: 100 ms to an hour.
    public static let warmupBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        .seconds(900), .seconds(3_600),
    ]

    /// A swift-metrics factory reporting into `registry`, with the cache's buckets.
    public static func factory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        for name in [MetricName.requestDuration, MetricName.loaderDuration, MetricName.invalidationDuration] {
            factory.durationHistogramBuckets[name] = requestBuckets
        }
        factory.durationHistogramBuckets["cachepolicy_warmup_run_duration_seconds"] = warmupBuckets
        return factory
    }
}
