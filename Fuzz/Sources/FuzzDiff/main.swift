import FuzzSupport
import PolicyCompiler

// Two versions of a policy (the input split at its first NUL byte, or in the middle): both are
// compiled and emitted, and when both are valid, diffed both ways.
runFuzzer { data, size in
    let input = bytes(data, size)
    let cut = input.firstIndex(of: 0) ?? input.count / 2
    let old = [SourceFile(path: "old/fuzz.yaml", bytes: Array(input[..<cut]))]
    let new = [SourceFile(path: "new/fuzz.yaml", bytes: Array(input[min(cut + 1, input.count)...]))]
    guard let before = compileAndEmit(old), let after = compileAndEmit(new) else { return 0 }
    for (a, b) in [(before, after), (after, before), (before, before)] {
        let changes = PolicyDiff.compare(old: a, new: b, failOn: Set(ChangeCategory.allCases))
        checkDiagnostics(changes, files: old + new)
        require(changes.allSatisfy { PolicyDiff.categories[$0.code] != nil }, "every change has a category")
    }
    require(PolicyDiff.compare(old: before, new: before).isEmpty, "a policy does not differ from itself")
    return 0
}
