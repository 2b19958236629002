import TestSupport
import Foundation
import Testing
@testable import PolicyCompiler

/// Every policy set that lints clean must generate Swift that compiles. Each platform below is
/// checked (no diagnostic at all, so `lint --strict` passes), generated, and type-checked by
/// `swiftc` against the CacheRuntime module of this build, with stub declarations of its value types.
@Suite("Generated code compiles for every clean platform")
struct GeneratedCodeCompilesTests {
    static let platforms: [(name: String, files: [String: String])] = [
        ("no events, no params", [
            "solo.yaml": """
                version: 1
                service: solo
                keys:
                  config: { pattern: "solo:config", ttl: 1h, value: Config }

                """,
        ]),
        ("only bytes and int codecs, one family per service", [
            "blobs.yaml": """
                version: 1
                service: blobs
                params: { id: int }
                keys:
                  blob: { pattern: "blobs:blob:{id}", ttl: 10m, codec: bytes }

                """,
            "counters.yaml": """
                version: 1
                service: counters
                params: { day: { enum: [mon, tue] } }
                keys:
                  hits: { pattern: "counters:hits:{day}", ttl: 1d, codec: int }

                """,
        ]),
        ("keyword names everywhere", [
            "class.yaml": """
                version: 1
                service: class
                defaults: { ttl: 1m }
                params:
                  self: uuid
                  in: string
                  var: { enum: [true, false, class, "2fa"] }
                keys:
                  default: { pattern: "class:default:{self}", value: Protocol, tags: ["in:{in}"], dependsOn: [struct] }
                  init: { pattern: "class:init:{var}", codec: string }
                events:
                  import.do:
                    payload: { self: uuid, in: string, var: { enum: [class, "2fa", true, false] } }
                    mutates: [struct]
                invalidate:
                  import.do:
                    - default
                    - init
                    - tag: "in:{in}"
                warmup:
                  for:
                    keys: [default]
                    source: repeat
                    after: [import.do]

                """,
        ]),
        ("collections, optionals and generics as value types", [
            "library.yaml": """
                version: 1
                service: library
                defaults: { ttl: 5m }
                params: { id: int, q: string }
                keys:
                  shelf: { pattern: "library:shelf:{id}", value: "[Book]" }
                  maybe: { pattern: "library:maybe:{id}", value: "Book?" }
                  index: { pattern: "library:index:{q}", value: "[String: [Book]]" }
                  page: { pattern: "library:page:{q}:{id}", value: "Page<Book>" }

                """,
        ]),
        ("events across services, patterns and tags", [
            "users.yaml": """
                version: 1
                service: users
                defaults: { ttl: 5m }
                params: { userId: uuid }
                keys:
                  profile: { pattern: "users:profile:{userId}", value: Profile, dependsOn: [user] }
                events:
                  user.deleted:
                    payload: { userId: uuid }
                    mutates: [user]
                invalidate:
                  user.deleted: [profile]

                """,
            "orders.yaml": """
                version: 1
                service: orders
                defaults: { ttl: 5m }
                params: { userId: uuid, page: int }
                keys:
                  history: { pattern: "orders:history:{userId}:{page}", value: HistoryPage, tags: ["user:{userId}"], dependsOn: [user] }
                invalidate:
                  user.deleted:
                    - tag: "user:{userId}"
                    - pattern: "orders:history:{userId}:*"

                """,
        ]),
    ]

    /// Names the standard library and Foundation already declare.
    static let standardTypes: Set<String> = ["String", "Int", "Bool", "Double", "Date", "UUID", "Data", "URL"]

    @Test(arguments: platforms.indices)
    func generatesAndCompiles(_ index: Int) async throws {
        let platform = Self.platforms[index]
        let result = compile(platform.files)
        #expect(result.diagnostics.isEmpty, "\(platform.name) must lint clean: \(result.diagnostics.map { "\($0.location) \($0.message)" })")
        let program = try #require(result.program)
        let folder = NSTemporaryDirectory() + "cachepolicy-compiles-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in SwiftEmitter().emit(program) {
            try file.contents.write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8)
        }
        let roots = Set(program.services.flatMap { $0.keys }.filter { $0.codec == .json }.flatMap { ValueTypeName($0.valueType)!.rootNames })
        var stubs = "import Foundation\n"
        for name in roots.subtracting(Self.standardTypes).sorted() {
            stubs += name == "Page"
                ? "public struct Page<Item: Codable & Sendable>: Codable, Sendable { public var items: [Item] }\n"
                : "public struct \(name): Codable, Sendable, Hashable { public init() {} }\n"
        }
        try stubs.write(toFile: folder + "/Models.swift", atomically: true, encoding: .utf8)
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
        let check = try await SwiftTypecheck.run(sources)
        #expect(check.status == 0, "\(platform.name): generated code does not compile:\n\(check.output)")
    }
}
