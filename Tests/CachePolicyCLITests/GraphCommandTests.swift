import Foundation
import Testing

/// A platform with one staleness gap: `cart.emptied` mutates 'cart' but shop drops nothing on it.
let graphPolicy = """
    version: 1
    service: shop
    defaults: { ttl: 10m }
    params: { userId: uuid, page: int }
    keys:
      cart: { pattern: "shop:cart:{userId}", value: Cart, tags: ["user:{userId}"], dependsOn: [cart] }
      history: { pattern: "shop:history:{userId}:{page}", ttl: 1h, value: "[Order]", dependsOn: [cart] }
    events:
      cart.changed:
        payload: { userId: uuid }
        mutates: [cart]
      cart.emptied:
        description: "Quotes \\" and <b>markup</b> # in names"
        payload: { userId: uuid }
        mutates: [cart]
    invalidate:
      cart.changed:
        - cart
        - tag: "user:{userId}"
        - pattern: "shop:history:{userId}:*"

    """

@Suite("cachepolicy graph")
struct GraphCommandTests {
    @Test func mermaidShowsEdgesByKindAndStalenessInRed() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": graphPolicy])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["graph", folder.path + "/policies"]) == 0, "\(run.err)")
        #expect(run.out == """
            flowchart LR
              e0(["cart.changed"])
              e1(["cart.emptied"])
              subgraph s0["shop"]
                s0f0["cart<br/>shop:cart:{userId}<br/>TTL 10m"]
                s0f1["history<br/>shop:history:{userId}:{page}<br/>TTL 1h"]
              end
              e0 -- "key" --> s0f0
              e0 -- "tag user:{userId}" --> s0f0
              e0 -- "pattern shop:history:{userId}:*" --> s0f1
              e1 -. "stale up to 1h" .-> s0f0
              e1 -. "stale up to 1h" .-> s0f1
              classDef stale stroke:#d00,stroke-width:2px,color:#d00
              class s0f0,s0f1 stale
              linkStyle 3,4 stroke:#d00,color:#d00

            """)
    }

    @Test func dotIsValidGraphvizWithRedDashedStaleEdges() async throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": graphPolicy])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["graph", "--format", "dot", folder.path + "/policies"]) == 0)
        #expect(run.out.contains("e1 -> s0f1 [label=\"stale up to 1h\", style=dashed, color=red, fontcolor=red];"))
        #expect(run.out.contains("s0f0 [label=\"cart\\nshop:cart:{userId}\\nTTL 10m\", shape=box, color=red, fontcolor=red];"))
        // Graphviz is the judge of the syntax (scripts/ensure-deps installs it).
        try run.out.write(toFile: folder.path + "/graph.dot", atomically: true, encoding: .utf8)
        let rendered = try await runProcess("/usr/bin/env", ["dot", "-Tsvg", folder.path + "/graph.dot", "-o", folder.path + "/graph.svg"])
        #expect(rendered.status == 0, "\(rendered.err)")
        let svg = try String(contentsOfFile: folder.path + "/graph.svg", encoding: .utf8)
        #expect(svg.contains("stroke=\"red\""))
    }

    @Test func policiesWithErrorsAreReportedNotDrawn() throws {
        let folder = try TemporaryPolicies(["policies/shop.yaml": graphPolicy.replacingOccurrences(of: "    - cart\n", with: "    - crat\n")])
        defer { folder.remove() }
        let run = CapturedRun()
        #expect(run.run(["graph", folder.path + "/policies"]) == 1)
        #expect(run.out.isEmpty)
        #expect(run.err.contains("has no key family 'crat'"))
    }

    @Test func readmeShowsTheExamplePlatformsCurrentGraph() throws {
        let run = CapturedRun()
        #expect(run.run(["graph", packageRoot + "/policies"]) == 0)
        let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
        #expect(readme.contains("```mermaid\n" + run.out + "```\n"), "regenerate README's graph: cachepolicy graph policies")
    }
}
