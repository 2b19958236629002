import PolicyCompiler

/// A generated platform of `services` services with `families` key families each, shaped like the
/// example policies (params of every type, tags, events consumed across services, warmups, alerts),
/// and lint-clean so the benchmark measures a complete compile.
enum SyntheticCorpus {
    static func files(services: Int, families: Int) -> [SourceFile] {
        (0..<services).map { index in
            SourceFile(path: "corpus/s\(index).yaml", text: policy(index, services: services, families: families))
        }
    }

    static func policy(_ index: Int, services: Int, families: Int) -> String {
        let name = "s\(index)"
        let upstream = "s\((index + 1) % services)"
        var text = """
            version: 1
            service: \(name)
            description: Generated service \(index).
            port: \(3000 + index % 60000)
            memory: 64MB

            defaults:
              ttl: 15m
              jitter: 10%
              codec: json

            params:
              userId: uuid
              page: int
              region: { enum: [eu, us, apac] }
              slug: string

            keys:

            """
        for family in 0..<families {
            let pattern: String
            switch family % 4 {
            case 0: pattern = "\(name):f\(family):{userId}"
            case 1: pattern = "\(name):f\(family):{userId}:{page}"
            case 2: pattern = "\(name):f\(family):{region}:{slug}"
            default: pattern = "\(name):f\(family):{slug}"
            }
            text += """
                  f\(family):
                    description: Family \(family) of \(name).
                    pattern: "\(pattern)"
                    ttl: \(5 + family)m
                    value: Value\(family)
                    tags: ["user:{userId}"]
                    dependsOn: [entity\(index)]

                """
        }
        text += """

            events:
              \(name).changed:
                payload: { userId: uuid, page: int, region: { enum: [eu, us, apac] }, slug: string }
                mutates: [entity\(index)]
              \(name).removed:
                payload: { id: uuid }
                mutates: [other\(index)]

            invalidate:
              \(name).changed:
                - tag: "user:{userId}"
                - pattern: "\(name):f1:{userId}:*"
                - f0
              \(upstream).removed:
                - { tag: "user:{userId}", bind: { userId: id } }

            warmup:
              hot:
                keys: [f0, f4]
                source: hotKeys
                priority: high
                every: 5m
                retry: { attempts: 3, backoff: 500ms, max: 10s }

            alerts:
              hitRate: { below: 70% }
              memory: { above: 80% }
              latency: { above: 1s }
              errorRate: { above: 5% }

            """
        return text
    }
}

extension SyntheticCorpus {
    /// One service with `families` key families in one file: the keyspace check must stay near-linear.
    static func oneService(families: Int) -> SourceFile {
        var text = """
            version: 1
            service: big
            defaults:
              ttl: 15m
              codec: json
            params:
              userId: uuid
              page: int
              region: { enum: [eu, us, apac] }
              slug: string
            keys:

            """
        for family in 0..<families {
            let pattern = switch family % 4 {
            case 0: "big:f\(family):{userId}"
            case 1: "big:f\(family):{userId}:{page}"
            case 2: "big:f\(family):{region}:{slug}"
            default: "big:f\(family):{slug}"
            }
            text += "  f\(family):\n    pattern: \"\(pattern)\"\n    value: Value\(family % 50)\n"
        }
        return SourceFile(path: "corpus/big.yaml", text: text)
    }

    /// `services` services whose families depend on shared entities that every service's events
    /// mutate and nobody invalidates: the staleness findings must not multiply.
    static func sharedEntities(services: Int, families: Int) -> [SourceFile] {
        (0..<services).map { service in
            var text = "version: 1\nservice: s\(service)\ndefaults: { ttl: 15m }\nparams:\n  userId: uuid\nkeys:\n"
            for family in 0..<families {
                text += "  f\(family): { pattern: \"s\(service):f\(family):{userId}\", value: V, dependsOn: [user\(family)] }\n"
            }
            text += "events:\n"
            for event in 0..<families {
                text += "  s\(service).e\(event):\n    payload: { userId: uuid }\n    mutates: [user\(event)]\n"
            }
            return SourceFile(path: "shared/s\(service).yaml", text: text)
        }
    }
}

extension SyntheticCorpus {
    /// Shapes that were quadratic: one service with `count` key families each invalidated by
    /// name, another with `count` unused params, a third with `count` misspelt params among
    /// `count` declared ones (each a "did you mean" search), and a fourth with `count` tagged
    /// families, each dropped by its tag and by a pattern.
    static func largeServices(count: Int) -> [SourceFile] {
        func service(_ name: String, params: [String], families: [String], invalidate: [String]) -> SourceFile {
            var text = "version: 1\nservice: \(name)\ndefaults: { ttl: 5m, codec: string }\nparams:\n"
            text += params.map { "  \($0): string\n" }.joined()
            text += "events:\n  \(name).changed:\n    payload: { p0: string }\n    mutates: [thing]\nkeys:\n"
            text += families.joined()
            if !invalidate.isEmpty { text += "invalidate:\n  \(name).changed:\n" + invalidate.joined() }
            return SourceFile(path: "corpus/\(name).yaml", text: text)
        }
        let byName = service(
            "named", params: ["p0"], families: (0..<count).map { "  k\($0): { pattern: \"named:k\($0):{p0}\" }\n" },
            invalidate: (0..<count).map { "    - k\($0)\n" })
        let unused = service("unused", params: (0..<count).map { "p\($0)" }, families: ["  k: { pattern: \"unused:k:{p0}\" }\n"], invalidate: [])
        let misspelt = service(
            "misspelt", params: (0..<count).map { "p\($0)" },
            families: stride(from: 0, to: count, by: 50).map { first in
                "  k\(first): { pattern: \"misspelt:k\(first):" + (first..<min(first + 50, count)).map { "{p\($0)x}" }.joined(separator: ":") + "\" }\n"
            }, invalidate: [])
        let tagged = service(
            "tagged", params: ["p0"], families: (0..<count).map { "  k\($0): { pattern: \"tagged:k\($0):{p0}\", tags: [\"t\($0):{p0}\"] }\n" },
            invalidate: (0..<count).map { "    - { tag: \"t\($0):{p0}\" }\n    - { pattern: \"tagged:k\($0):*\", scan: true }\n" })
        return [byName, unused, misspelt, tagged]
    }
}
