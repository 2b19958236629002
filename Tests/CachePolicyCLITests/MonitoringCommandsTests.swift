import Foundation
import PolicyCompiler
import TestSupport
import Testing

/// `cachepolicy alerts` and `cachepolicy dashboard` on the example platform.
@Suite("cachepolicy alerts and dashboard")
struct MonitoringCommandsTests {
    /// The value under `key` in a mapping node.
    func field(_ node: Node, _ key: String) -> Node? {
        guard case .mapping(let pairs) = node.kind else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    func items(_ node: Node?) -> [Node] {
        guard let node, case .sequence(let items) = node.kind else { return [] }
        return Array(items)
    }

    /// The rules file is YAML of Prometheus's rules format (parsed back with libyaml): a group per
    /// service, each rule with `alert`, `expr`, `for`, labels and annotations, and the policies'
    /// thresholds and `for:` durations in the expressions.
    @Test func rulesAreValidYAMLWithThePolicysThresholds() throws {
        let run = CapturedRun()
        #expect(run.run(["alerts", packageRoot + "/policies"]) == 0, "\(run.err)")
        var diagnostics = DiagnosticBag()
        let root = try #require(YAMLReader.read(SourceFile(path: "rules.yaml", text: run.out), diagnostics: &diagnostics), "\(diagnostics.diagnostics)")
        #expect(diagnostics.diagnostics.isEmpty)
        let groups = items(field(root, "groups"))
        #expect(groups.compactMap { field($0, "name")?.scalar?.value } == [
            "cachepolicy-analytics", "cachepolicy-billing", "cachepolicy-document", "cachepolicy-notification", "cachepolicy-payment",
            "cachepolicy-user", "cachepolicy-utility", "cachepolicy-webhook",
        ])
        var rules: [String: Node] = [:]
        for group in groups {
            for rule in items(field(group, "rules")) {
                let name = try #require(field(rule, "alert")?.scalar?.value)
                #expect(field(rule, "expr")?.scalar != nil && field(rule, "for")?.scalar != nil, "\(name)")
                #expect(field(try #require(field(rule, "labels")), "severity")?.scalar != nil)
                #expect(field(try #require(field(rule, "annotations")), "summary")?.scalar != nil)
                rules[name] = rule
            }
        }
        #expect(rules.count == 8 * 5, "four thresholds and Redis-unreachable per service")
        let errors = try #require(rules["CachePaymentErrorRateHigh"])
        #expect(field(errors, "for")?.scalar?.value == "1m", "payment's errorRate has `for: 1m`")
        #expect(field(errors, "expr")?.scalar?.value == #"(sum(rate(cachepolicy_requests_total{service="payment",outcome=~"error|degraded"}[1m])) / sum(rate(cachepolicy_requests_total{service="payment"}[1m]))) > 0.05"#)
        let hitRate = try #require(rules["CacheUserHitRateLow"])
        #expect(field(hitRate, "for")?.scalar?.value == "5m")
        #expect(field(hitRate, "expr")?.scalar?.value.hasSuffix(") < 0.7") == true)
        let memory = try #require(rules["CachePaymentMemoryHigh"])
        #expect(field(memory, "expr")?.scalar?.value == #"max(cachepolicy_memory_used_bytes{service="payment"}) / 67108864 > 0.8"#)
        let latency = try #require(rules["CacheBillingLatencyHigh"])
        #expect(field(latency, "expr")?.scalar?.value.contains("histogram_quantile(0.99") == true)
        let down = try #require(rules["CachePaymentRedisUnreachable"])
        #expect(field(try #require(field(down, "labels")), "severity")?.scalar?.value == "critical")
        let paymentLines = try String(contentsOfFile: packageRoot + "/policies/payment.yaml", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let errorRateLine = try #require(paymentLines.firstIndex { $0.hasPrefix("  errorRate:") }) + 1
        #expect(field(try #require(field(errors, "annotations")), "source")?.scalar?.value.hasSuffix("payment.yaml:\(errorRateLine)") == true)
    }

    @Test func outputIsDeterministicAndTheWindowIsChecked() {
        let first = CapturedRun(), second = CapturedRun()
        #expect(first.run(["alerts", "--window", "5m", packageRoot + "/policies"]) == 0)
        #expect(second.run(["alerts", "--window", "5m", packageRoot + "/policies"]) == 0)
        #expect(first.out == second.out && first.out.contains("[5m]"))
        let bad = CapturedRun()
        #expect(bad.run(["alerts", "--window", "5 minutes", packageRoot + "/policies"]) == 2)
        #expect(bad.err.contains("not a Prometheus duration"))
        let broken = try? TemporaryPolicies(["policies/x.yaml": "version: 1\nservice: x\nkeys: {a: {pattern: \"x:a\"}}\n"])
        defer { broken?.remove() }
        let failing = CapturedRun()
        #expect(failing.run(["dashboard", broken!.path + "/policies"]) == 1)
        #expect(failing.err.contains("cannot draw the dashboard") && failing.out.isEmpty)
    }

    /// The dashboard is Grafana JSON: a row per service, six panels each, the thresholds drawn as lines.
    @Test func dashboardHasARowPerServiceWithThresholdLines() throws {
        let run = CapturedRun()
        #expect(run.run(["dashboard", "--title", "Bill payments", packageRoot + "/policies"]) == 0, "\(run.err)")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(dashboard["title"] as? String == "Bill payments" && dashboard["uid"] as? String == "cachepolicy-bill-payments")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let rows = panels.filter { $0["type"] as? String == "row" }
        #expect(rows.count == 8 && (rows[4]["title"] as? String)?.hasPrefix("payment") == true)
        #expect(panels.count == 8 * 7)
        #expect(Set(panels.compactMap { $0["id"] as? Int }).count == panels.count, "ids are unique")
        // Payment's panels: hit rate with a red-below line at 0.7, memory against its 64 MiB budget.
        let paymentRow = try #require(panels.firstIndex { ($0["title"] as? String)?.hasPrefix("payment") == true })
        let payment = Array(panels[(paymentRow + 1)...(paymentRow + 6)])
        #expect(payment.map { $0["title"] as? String ?? "" } == [
            "Hit rate", "Latency", "Errors", "Memory against the 64MB budget", "Evictions (the whole Redis)", "Warmup: time since the last success",
        ])
        func threshold(_ panel: [String: Any]) -> (mode: String?, values: [Double]) {
            let defaults = (panel["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any]
            let steps = ((defaults?["thresholds"] as? [String: Any])?["steps"] as? [[String: Any]]) ?? []
            let mode = ((defaults?["custom"] as? [String: Any])?["thresholdsStyle"] as? [String: Any])?["mode"] as? String
            return (mode, steps.compactMap { $0["value"] as? Double })
        }
        #expect(threshold(payment[0]).mode == "line" && threshold(payment[0]).values == [0.7])
        #expect(threshold(payment[1]).values == [1] && threshold(payment[2]).values == [0.05])
        #expect(threshold(payment[3]).values == [Double(64 << 20) * 0.8])
        let targets = try #require(payment[0]["targets"] as? [[String: Any]])
        #expect((targets[0]["expr"] as? String)?.contains(#"service="payment""#) == true)
        // Byte-identical across runs.
        let again = CapturedRun()
        _ = again.run(["dashboard", "--title", "Bill payments", packageRoot + "/policies"])
        #expect(again.out == run.out)
    }
}

/// The compiler the build plugin runs stays free of networking: `cachepolicy` depends on nothing
/// that reaches SwiftNIO (the audit, which needs it, is `cachepolicy-audit`).
@Suite("Executables")
struct ExecutableDependencyTests {
    @Test func thePluginsToolDoesNotLinkNetworking() async throws {
        // A scratch folder of its own: the running test holds the lock of the package's `.build`.
        let scratch = NSTemporaryDirectory() + "cachepolicy-dump-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let dump = try await ChildProcess.run(["swift", "package", "--package-path", packageRoot, "--scratch-path", scratch, "dump-package"])
        #expect(dump.status == 0, "\(dump.errors)")
        let package = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        let targets = try #require(package["targets"] as? [[String: Any]])
        var dependencies: [String: [String]] = [:]
        for target in targets {
            let name = target["name"] as! String
            dependencies[name] = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                if let byName = dependency["byName"] as? [Any] { return byName.first as? String }
                if let target = dependency["target"] as? [Any] { return target.first as? String }
                if let product = dependency["product"] as? [Any], let name = product.first as? String, let package = product[1] as? String {
                    return "\(package)/\(name)"
                }
                return nil
            }
        }
        func closure(_ name: String) -> Set<String> {
            var seen: Set<String> = []
            var stack = [name]
            while let next = stack.popLast() {
                for dependency in dependencies[next] ?? [] where seen.insert(dependency).inserted { stack.append(dependency) }
            }
            return seen
        }
        let tool = closure("cachepolicy")
        #expect(tool.contains("PolicyCompiler"))
        #expect(!tool.contains { $0.hasPrefix("swift-nio/") || $0 == "RESP" || $0 == "CacheAudit" }, "\(tool.sorted())")
        #expect(closure("cachepolicy-audit").contains("RESP"))
    }
}
