import Foundation
import TestSupport
import Testing
@testable import PolicyCompiler

/// Reads every file of a folder that the generator wrote (or, with `all`, every file).
func folderContents(_ path: String, all: Bool = false) throws -> [String: String] {
    var result: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: path) {
        let text = try String(contentsOfFile: path + "/" + name, encoding: .utf8)
        if all || text.hasPrefix(SwiftEmitter.marker) { result[name] = text }
    }
    return result
}

func policyFiles(in folder: String, relativeTo root: String = packageRoot) throws -> [SourceFile] {
    try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).filter { $0.hasSuffix(".yaml") }.sorted().map {
        SourceFile(path: folder + "/" + $0, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + folder + "/" + $0))))
    }
}

@Suite("Swift and JSON emitters")
struct EmitterTests {
    func program(_ folder: String) throws -> Program {
        let result = Compiler().compile(try policyFiles(in: folder))
        return try #require(result.program, "\(result.diagnostics)")
    }

    @Test func generatedFolderIsInSync() throws {
        let files = SwiftEmitter().emit(try program("policies"))
        let onDisk = try folderContents(packageRoot + "/generated")
        #expect(Set(onDisk.keys) == Set(files.map(\.name)), "run: cachepolicy generate policies --output generated")
        for file in files { #expect(onDisk[file.name] == file.contents, "\(file.name) is stale") }
    }

    @Test func hostileFixtureIsInSync() throws {
        let files = SwiftEmitter().emit(try program("Tests/PolicyCompilerTests/Fixtures/hostile"))
        let onDisk = try folderContents(packageRoot + "/Tests/GeneratedCodeTests/Generated")
        #expect(Set(onDisk.keys) == Set(files.map(\.name)))
        for file in files { #expect(onDisk[file.name] == file.contents, "\(file.name) is stale") }
    }

    /// Golden files for a small policy; rewrite with UPDATE_GOLDEN=1 after an intended change.
    @Test func goldenShop() throws {
        let program = try program("Tests/PolicyCompilerTests/Fixtures/emit")
        let files = SwiftEmitter(imports: ["ShopModels"]).emit(program) + [JSONEmitter.emit(program)]
        let folder = packageRoot + "/Tests/PolicyCompilerTests/Fixtures/emit/expected"
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            for file in files { try file.contents.write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8) }
        }
        let expected = try folderContents(folder, all: true)
        #expect(Set(expected.keys) == Set(files.map(\.name)))
        for file in files { #expect(expected[file.name] == file.contents, "\(file.name) differs from its golden copy") }
    }

    @Test func outputIsDeterministic() throws {
        let files = try policyFiles(in: "policies")
        let first = SwiftEmitter().emit(try #require(Compiler().compile(files).program))
        let second = SwiftEmitter().emit(try #require(Compiler().compile(files.reversed()).program))
        #expect(first == second)
        #expect(JSONEmitter.emit(try program("policies")) == JSONEmitter.emit(try program("policies")))
    }

    @Test func importsAndAccessLevels() throws {
        let program = try program("Tests/PolicyCompilerTests/Fixtures/emit")
        // Whole files: the golden public output with each declaration's access changed and the
        // extra imports (sorted, without duplicates) after the runtime's.
        let golden = try folderContents(packageRoot + "/Tests/PolicyCompilerTests/Fixtures/emit/expected", all: true)
            .filter { $0.key.hasSuffix(".swift") }
        #expect(golden.count == 2)
        let internalFiles = SwiftEmitter(imports: ["B", "A", "B"], access: .internal).emit(program)
        #expect(internalFiles.count == golden.count)
        for file in internalFiles {
            let expected = try #require(golden[file.name])
                .replacingOccurrences(of: "public ", with: "")
                .replacingOccurrences(of: "import ShopModels\n", with: "import A\nimport B\n")
            #expect(file.contents == expected, "\(file.name) as internal with imports A, B")
        }
        for file in SwiftEmitter(imports: ["ShopModels"], access: .package).emit(program) {
            #expect(file.contents == golden[file.name]?.replacingOccurrences(of: "public ", with: "package "), "\(file.name) as package")
        }
    }

    @Test func jsonProgramIsVersionedAndComplete() throws {
        let json = JSONEmitter.emit(try program("policies")).contents
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 1)
        let services = try #require(object["services"] as? [[String: Any]])
        #expect(services.count == 8)
        let payment = try #require(services.first { $0["name"] as? String == "payment" })
        let keys = try #require(payment["keys"] as? [[String: Any]])
        #expect(keys.first?["ttlMs"] as? Int == 900_000)
        #expect(keys.first?["pattern"] as? String == "payment:history:{userId}:{page}")
        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.first { $0["name"] as? String == "payment.succeeded" }?["consumers"] as? [String] == ["analytics", "billing", "payment"])
    }

    @Test func reservedNames() {
        let policy = shop(replacing: "  cart:\n    pattern", with: "  policy:\n    pattern").replacingOccurrences(of: "    - cart\n", with: "    - policy\n")
        expectFinding(compile(policy), .reservedName, line: 8, column: 3)
        // Every reserved member, and names only as long as one.
        for name in Checker.reservedMembers.sorted() + ["policY", "listenex", "warmupTask2"] {
            let renamed = shop(replacing: "  cart:\n    pattern", with: "  \(name):\n    pattern").replacingOccurrences(of: "    - cart\n", with: "    - \(name)\n")
            #expect(compile(renamed).diagnostics.contains { $0.code == .reservedName } == Checker.reservedMembers.contains(name), "\(name)")
        }
        let events = goodPolicy + "  cache.events:\n    - cart\n"
        let withEvent = events.replacingOccurrences(of: "events:\n  cart.changed:", with: "events:\n  cache.events:\n    payload: { userId: uuid }\n    mutates: [cart]\n  cart.changed:")
        expectFinding(compile(withEvent), .reservedName, line: 13, column: 3)
    }

    @Test func nameCollisions() {
        // 'cart.item-added' and 'cart-item.added' both become CartItemAdded.
        let events = shop(replacing: "events:\n", with: "events:\n  cart.item-added:\n    mutates: [cart]\n  cart-item.added:\n    mutates: [cart]\n")
            .replacingOccurrences(of: "invalidate:\n", with: "invalidate:\n  cart.item-added: [cart]\n  cart-item.added: [cart]\n")
        let events2 = events.replacingOccurrences(of: "  cart.item-added:\n    mutates: [cart]\n  cart-item.added:\n    mutates: [cart]\n",
            with: "  cart.item-added:\n    payload: { userId: uuid }\n    mutates: [cart]\n  cart-item.added:\n    payload: { userId: uuid }\n    mutates: [cart]\n")
        let finding = expectFinding(compile(events2), .nameCollision, line: 16, column: 3)
        #expect(finding?.related.first?.location.line == 13)
        // An enum param whose type would shadow a value type.
        let shadow = shop(replacing: "  userId: uuid\n", with: "  userId: uuid\n  cart: { enum: [a, b] }\n")
            .replacingOccurrences(of: "    value: Cart\n", with: "    value: Cart\n  other:\n    pattern: \"shop:other:{cart}\"\n    value: Other\n")
        let shadowed = expectFinding(compile(shadow), .nameCollision, line: 9, column: 3)
        #expect(shadowed?.related.first?.location.line == 7, "points at the enum param whose type shadows it")
        // Qualified with its module, the value type is not shadowed.
        expectNoFinding(compile(shadow.replacingOccurrences(of: "value: Cart\n", with: "value: Models.Cart\n")), .nameCollision)
        // A value type spelled like a generated event payload struct would be redeclared.
        let asEvent = shop(replacing: "    value: Cart\n", with: "    value: CartChanged\n")
        expectFinding(compile(asEvent), .nameCollision, line: 8, column: 3)
    }

    @Test func familiesMayShareAValueType() {
        // A session looked up by id and by token: both hold the same type (was CP701).
        let shared = shop(replacing: "    dependsOn: [cart]\n", with: """
                dependsOn: [cart]
              byToken:
                pattern: "shop:cart-by-token:{token}"
                value: Cart

            """).replacingOccurrences(of: "  userId: uuid\n", with: "  userId: uuid\n  token: string\n")
        let result = compile(shared)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.program?.services[0].keys.map(\.valueType) == ["Cart", "Cart"])
    }
}

@Suite("Policy JSON Schema")
struct SchemaTests2 {
    @Test func checkedInCopyIsCurrent() throws {
        let onDisk = try String(contentsOfFile: packageRoot + "/docs/cachepolicy.schema.json", encoding: .utf8)
        #expect(onDisk == PolicySchema.document().rendered(), "run: cachepolicy schema > docs/cachepolicy.schema.json")
        let platform = try String(contentsOfFile: packageRoot + "/docs/cachepolicy-platform.schema.json", encoding: .utf8)
        #expect(platform == PolicySchema.platformDocument().rendered(), "run: cachepolicy schema --platform > docs/cachepolicy-platform.schema.json")
    }

    @Test func schemaKnowsExactlyTheDecoderFields() throws {
        guard case .object(let root) = PolicySchema.document(),
              case .object(let properties)? = root.first(where: { $0.0 == "properties" })?.1
        else {
            Issue.record("the schema has no properties")
            return
        }
        #expect(properties.map(\.0) == PolicyFields.topLevel.known)
        let rendered = PolicySchema.document().rendered()
        for field in PolicyFields.keyFamily.known + PolicyFields.warmup.known + PolicyFields.invalidation.known {
            #expect(rendered.contains("\"\(field)\":"), "the schema lacks '\(field)'")
        }
        // Ranges come from the same table: the nearCache maximum once differed.
        #expect(rendered.contains("\"maximum\": \(PolicyFields.nearCacheEntries.upperBound)"))
        let config = PolicySchema.configDocument().rendered()
        for field in GenerationConfig.fields { #expect(config.contains("\"\(field)\":")) }
        let platform = PolicySchema.platformDocument().rendered()
        for field in PolicyFields.platform.known + PolicyFields.environment.known + PolicyFields.redis.known + PolicyFields.tls.known
            + PolicyFields.credentials.known + PolicyFields.secret.known {
            #expect(platform.contains("\"\(field)\":"), "the platform schema lacks '\(field)'")
        }
    }

    @Test func examplePoliciesCarryTheModeline() throws {
        for file in try policyFiles(in: "policies") {
            let schema = file.path.hasSuffix("/platform.yaml") ? "cachepolicy-platform.schema.json" : "cachepolicy.schema.json"
            #expect(String(decoding: file.bytes, as: UTF8.self).hasPrefix("# yaml-language-server: $schema=../docs/\(schema)\n"))
        }
    }

    /// Validates the examples (and rejects a typo) with Python's jsonschema, an independent validator.
    @Test func independentValidatorAcceptsTheExamples() async throws {
        let script = """
            import json, glob, sys, yaml, jsonschema
            schema = json.load(open('docs/cachepolicy.schema.json'))
            jsonschema.Draft7Validator.check_schema(schema)
            validator = jsonschema.Draft7Validator(schema)
            errors = [f for f in sorted(glob.glob('policies/*.yaml')) if not f.endswith('/platform.yaml') and list(validator.iter_errors(yaml.safe_load(open(f))))]
            bad = yaml.safe_load(open('policies/payment.yaml')); bad['keys']['history']['tll'] = '5m'
            platform_schema = json.load(open('docs/cachepolicy-platform.schema.json'))
            jsonschema.Draft7Validator.check_schema(platform_schema)
            platform = jsonschema.Draft7Validator(platform_schema)
            errors += [e.message for e in platform.iter_errors(yaml.safe_load(open('policies/platform.yaml')))]
            leaky = yaml.safe_load(open('policies/platform.yaml')); leaky['environments']['staging']['credentials']['password'] = 'hunter2'
            sys.exit(0 if not errors and list(validator.iter_errors(bad)) and list(platform.iter_errors(leaky)) else 1)
            """
        let python = try await ChildProcess.run(["python3", "-c", script], in: packageRoot, mergingErrors: true)
        #expect(python.status == 0, "python3 with PyYAML and jsonschema must accept the examples and reject the typo:\n\(python.output)")
    }
}
