import CacheMonitoring
import Testing

/// The alert state machine, without a server or a clock.
@Suite("Alert evaluation")
struct AlertEvaluatorTests {
    func observe(_ holds: Bool?, observed: Double? = nil, holdFor: Duration = .seconds(60)) -> [AlertEvaluator.Observation] {
        [.init(alert: Alert(service: "payment", name: .hitRate, severity: .warning, condition: "hit rate below 70%", observed: observed), holds: holds, holdFor: holdFor)]
    }

    @Test func firesOnlyAfterTheConditionHeldForItsDuration() {
        var evaluator = AlertEvaluator()
        #expect(evaluator.evaluate(observe(true, observed: 0.5), at: .seconds(0), wallClock: 1_000).isEmpty, "pending")
        #expect(evaluator.evaluate(observe(true, observed: 0.5), at: .seconds(59), wallClock: 1_059).isEmpty)
        let fired = evaluator.evaluate(observe(true, observed: 0.4), at: .seconds(60), wallClock: 1_060)
        guard case .fired(let alert)? = fired.first else { Issue.record("\(fired)"); return }
        #expect(fired.count == 1 && alert.firingSince == 1_060 && alert.observed == 0.4)
        #expect(evaluator.firing.map(\.name) == [.hitRate])
        // Firing is reported once, not at every evaluation.
        #expect(evaluator.evaluate(observe(true), at: .seconds(70), wallClock: 1_070).isEmpty)
        // Resolves on its own when the condition stops holding.
        let resolved = evaluator.evaluate(observe(false, observed: 0.9), at: .seconds(80), wallClock: 1_080)
        guard case .resolved(let done)? = resolved.first else { Issue.record("\(resolved)"); return }
        #expect(done.observed == 0.9 && done.firingSince == 1_060)
        #expect(evaluator.firing.isEmpty)
    }

    @Test func aBlipDoesNotPage() {
        var evaluator = AlertEvaluator()
        _ = evaluator.evaluate(observe(true), at: .seconds(0), wallClock: 0)
        #expect(evaluator.evaluate(observe(false), at: .seconds(30), wallClock: 30).isEmpty)
        // The clock starts again with the next breach.
        #expect(evaluator.evaluate(observe(true), at: .seconds(40), wallClock: 40).isEmpty)
        #expect(evaluator.evaluate(observe(true), at: .seconds(90), wallClock: 90).isEmpty)
        #expect(evaluator.evaluate(observe(true), at: .seconds(100), wallClock: 100).count == 1)
    }

    @Test func noDataNeitherStartsNorResolves() {
        var evaluator = AlertEvaluator()
        #expect(evaluator.evaluate(observe(nil), at: .seconds(0), wallClock: 0).isEmpty)
        _ = evaluator.evaluate(observe(true, holdFor: .zero), at: .seconds(1), wallClock: 1)
        #expect(evaluator.firing.count == 1, "a zero `for` fires at once")
        #expect(evaluator.evaluate(observe(nil), at: .seconds(2), wallClock: 2).isEmpty)
        #expect(evaluator.firing.count == 1, "no reads is not a recovery")
    }
}
