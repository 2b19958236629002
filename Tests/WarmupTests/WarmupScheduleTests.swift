import CacheRuntime
import CacheWarmup
import Testing

func spec(
    _ name: String, service: String = "svc", _ priority: WarmupJobSpec.Priority = .medium, every: Duration? = nil, after: [String] = [],
    batch: Int = 10, concurrency: Int = 1, retry: RetryPolicy = RetryPolicy(attempts: 3, backoff: .milliseconds(10), max: .milliseconds(40))
) -> WarmupJobSpec {
    WarmupJobSpec(
        name: name, service: service, families: ["recent"], source: name, priority: priority, every: every, after: after, batch: batch,
        concurrency: concurrency, retry: retry)
}

func id(_ name: String, _ service: String = "svc") -> WarmupJobID { WarmupJobID(service: service, name: name) }

/// The scheduler's decisions, without a server or a clock.
@Suite("Warmup schedule")
struct WarmupScheduleTests {
    func names(_ started: [(id: WarmupJobID, trigger: WarmupSchedule.Trigger)]) -> [String] { started.map(\.id.name) }

    @Test func startUpRunsHighThenMediumThenLow() {
        var schedule = WarmupSchedule([spec("d", .low), spec("c", .medium), spec("a", .high), spec("b", .high)], budget: 100)
        schedule.start(at: .zero)
        #expect(names(schedule.startable(at: .zero)) == ["a", "b"])
        schedule.finished(id("a"), at: .seconds(1), random: 0.5)
        #expect(names(schedule.startable(at: .seconds(1))).isEmpty, "b (high) still runs")
        schedule.finished(id("b"), at: .seconds(2), random: 0.5)
        let medium = schedule.startable(at: .seconds(2))
        #expect(names(medium) == ["c"] && medium[0].trigger == .startup)
        // A failed run counts as done: `finished` is called whatever the outcome.
        schedule.finished(id("c"), at: .seconds(3), random: 0.5)
        #expect(names(schedule.startable(at: .seconds(3))) == ["d"])
    }

    /// An environment with `warmup: false`: nothing runs by itself, a manual request still does.
    @Test func withoutAutomaticRunsOnlyManualRequestsStart() {
        var schedule = WarmupSchedule(
            [spec("a", .high, every: .seconds(10), after: ["x.changed"]), spec("b", .low)], budget: 10, automatic: false)
        schedule.start(at: .zero)
        #expect(schedule.startable(at: .zero).isEmpty, "no start-up run")
        #expect(schedule.eventApplied("x.changed", service: "svc", at: .seconds(1)).isEmpty)
        #expect(schedule.startable(at: .seconds(1)).isEmpty, "no run after the event")
        schedule.request(id("b"), .manual, at: .seconds(2))
        let manual = schedule.startable(at: .seconds(2))
        #expect(names(manual) == ["b"] && manual[0].trigger == .manual, "a low job need not wait for a start-up that never comes")
        schedule.request(id("a"), .manual, at: .seconds(2))
        #expect(names(schedule.startable(at: .seconds(2))) == ["a"])
        schedule.finished(id("a"), at: .seconds(3), random: 0.5)
        #expect(schedule.nextWakeup == nil, "no scheduled run after a manual one")
        #expect(schedule.startable(at: .seconds(100)).isEmpty)
    }

    @Test func theBudgetIsSharedAndLowerPrioritiesDoNotOvertake() {
        var schedule = WarmupSchedule(
            [spec("x", .high, concurrency: 3), spec("y", .medium, concurrency: 2), spec("z", .low, concurrency: 1)], budget: 4)
        schedule.start(at: .zero)
        // Start-up, one priority at a time.
        for name in ["x", "y", "z"] {
            #expect(names(schedule.startable(at: .zero)) == [name])
            schedule.finished(id(name), at: .zero, random: 0.5)
        }
        // All three requested at once: x takes 3 of 4; y does not fit, and z (which would) waits behind it.
        for name in ["z", "y", "x"] { schedule.request(id(name), .manual, at: .seconds(1)) }
        #expect(names(schedule.startable(at: .seconds(1))) == ["x"])
        #expect(schedule.inFlight == 3)
        schedule.finished(id("x"), at: .seconds(2), random: 0.5)
        #expect(names(schedule.startable(at: .seconds(2))) == ["y", "z"])
        #expect(schedule.inFlight == 3)
    }

    @Test func aJobLargerThanTheBudgetRunsAlone() {
        var schedule = WarmupSchedule([spec("big", .high, concurrency: 50), spec("small", .low)], budget: 8)
        schedule.start(at: .zero)
        #expect(names(schedule.startable(at: .zero)) == ["big"])
        #expect(names(schedule.startable(at: .zero)).isEmpty)
        schedule.finished(id("big"), at: .seconds(1), random: 0.5)
        #expect(names(schedule.startable(at: .seconds(1))) == ["small"])
    }

    @Test func schedulesAreSpreadByJitterAndNeverBeforeTheRunEnded() {
        var schedule = WarmupSchedule([spec("a", every: .seconds(100))], budget: 4, jitter: 0.1)
        schedule.start(at: .zero)
        _ = schedule.startable(at: .zero)
        schedule.finished(id("a"), at: .seconds(10), random: 0)
        #expect(schedule.nextWakeup == .seconds(90), "100 s after the start, 10% early")
        #expect(schedule.startable(at: .seconds(89)).isEmpty)
        let due = schedule.startable(at: .seconds(90))
        #expect(names(due) == ["a"] && due[0].trigger == .schedule)
        schedule.finished(id("a"), at: .seconds(95), random: 0.999_999)
        #expect(abs((schedule.nextWakeup! - .seconds(200)) / .seconds(1)) < 0.001, "10% late")
        // A run longer than `every` is due again when it ends, not in the past.
        _ = schedule.startable(at: .seconds(200))
        schedule.finished(id("a"), at: .seconds(500), random: 0.5)
        #expect(schedule.nextWakeup == .seconds(500))
    }

    @Test func requestsCoalesce() {
        var schedule = WarmupSchedule([spec("a", .high)], budget: 4)
        schedule.start(at: .zero)
        _ = schedule.startable(at: .zero)
        // Requests while it runs make exactly one more run, with the first request's trigger.
        schedule.request(id("a"), .event("x.changed"), at: .seconds(1))
        schedule.request(id("a"), .manual, at: .seconds(2))
        #expect(schedule.startable(at: .seconds(2)).isEmpty)
        schedule.finished(id("a"), at: .seconds(3), random: 0.5)
        let rerun = schedule.startable(at: .seconds(3))
        #expect(names(rerun) == ["a"] && rerun[0].trigger == .event("x.changed"))
        schedule.finished(id("a"), at: .seconds(4), random: 0.5)
        // Requests while it is pending merge into that one run.
        schedule.request(id("a"), .manual, at: .seconds(5))
        schedule.request(id("a"), .manual, at: .seconds(5))
        #expect(names(schedule.startable(at: .seconds(5))) == ["a"])
        schedule.finished(id("a"), at: .seconds(6), random: 0.5)
        #expect(schedule.startable(at: .seconds(6)).isEmpty)
        let unknown = schedule.request(id("nope"), .manual, at: .seconds(6))
        #expect(!unknown)
    }

    @Test func eventsRequestTheServicesJobsThatRunAfterThem() {
        var schedule = WarmupSchedule(
            [spec("a", after: ["x.changed"]), spec("b"), spec("c", service: "other", after: ["x.changed"])], budget: 4)
        schedule.start(at: .zero)
        for _ in 0..<3 {
            for started in schedule.startable(at: .zero) { schedule.finished(started.id, at: .zero, random: 0.5) }
        }
        let requested = schedule.eventApplied("x.changed", service: "svc", at: .seconds(1))
        #expect(requested == [id("a")])
        let none = schedule.eventApplied("y.changed", service: "svc", at: .seconds(1))
        #expect(none.isEmpty)
        let started = schedule.startable(at: .seconds(1))
        #expect(started.map(\.id) == [id("a")] && started[0].trigger == .event("x.changed"))
    }
}
