import Testing
@testable import PolicyCompiler

/// The example platform in `policies/` is the model users copy: it must lint clean with `--strict`
/// and resolve to the program the YAML describes.
@Suite("Example platform")
struct ExamplePlatformTests {
    let result: Compiler.Result

    init() throws {
        result = Compiler().compile(try examplePolicies())
    }

    @Test func lintsCleanStrict() throws {
        #expect(try examplePolicies().count == 9, "eight services and the platform file")
        #expect(result.program?.platform?.environments.map(\.name.value) == ["dev", "staging", "prod"])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.location) \($0.code) \($0.message)" })")
    }

    @Test func hasTheEightServices() throws {
        let program = try #require(result.program)
        #expect(program.services.map(\.name) == ["analytics", "billing", "document", "notification", "payment", "user", "utility", "webhook"])
    }

    @Test func keyFamiliesResolveDefaults() throws {
        let payment = try #require(result.program?.service("payment"))
        let history = try #require(payment.key("history"))
        #expect(history.ttl == .minutes(15))
        #expect(history.jitter == Percent(10))
        #expect(history.compression == .over(ByteCount(bytes: 1024)))
        #expect(history.keyParams.map(\.name.value) == ["userId", "page"])
        #expect(history.valueType == "PaymentHistoryPage")
        let template = try #require(result.program?.service("notification")?.key("template"))
        #expect(template.codec == .string && template.valueType == "String" && template.ttl == .hours(1))
        let session = try #require(result.program?.service("user")?.key("session"))
        #expect(session.tagOnlyParams.map(\.name.value) == ["userId"], "a session's user is needed to write it, not to read it")
    }

    @Test func paymentSucceededReachesEveryDependentService() throws {
        let program = try #require(result.program)
        let event = try #require(program.event("payment.succeeded"))
        #expect(event.producer == "payment")
        #expect(event.consumers == ["analytics", "billing", "payment"])
        let billing = try #require(program.service("billing")?.reactions.first { $0.event == "payment.succeeded" })
        #expect(billing.actions.map(\.target) == [.key(family: "status"), .key(family: "userBills")])
        #expect(billing.actions[0].bindings == ["billId": "billId"])
    }

    @Test func explicitBindingsSurvive() throws {
        let payment = try #require(result.program?.service("payment"))
        let deleted = try #require(payment.reactions.first { $0.event == "user.deleted" })
        #expect(deleted.actions.allSatisfy { $0.bindings == ["userId": "id"] })
    }

    @Test func warmupsResolveDefaultsAndPriorities() throws {
        let program = try #require(result.program)
        let priorities = Set(program.services.flatMap(\.warmups).map(\.priority))
        #expect(priorities == [.high, .medium, .low])
        let recent = try #require(program.service("payment")?.warmups.first)
        #expect(recent.name == "recent-payments" && recent.every == .minutes(5) && recent.batch == 100 && recent.concurrency == 5)
        #expect(recent.retry == RetryPolicy(attempts: 3, backoff: .init(milliseconds: 500), max: .seconds(10)))
        let webhooks = try #require(program.service("webhook")?.warmups.first)
        #expect(webhooks.retry == .default)
    }

    @Test func alertThresholds() throws {
        for service in try #require(result.program).services {
            #expect(service.alerts.hitRateBelow?.value == Percent(70))
            #expect(service.alerts.memoryAbove?.value == Percent(80))
            #expect(service.alerts.latencyAbove?.value == .seconds(1))
            #expect(service.alerts.errorRateAbove?.value == Percent(5))
        }
    }

    @Test func compilationIsDeterministic() throws {
        let again = Compiler().compile(try examplePolicies().reversed())
        #expect(again.program?.services.map(\.name) == result.program?.services.map(\.name))
        #expect(again.program?.events.map(\.name) == result.program?.events.map(\.name))
    }
}
