public import Foundation

/// Runs a fuzz target's body over files, as libFuzzer would, without the fuzzer: how a crash file
/// is reproduced in a debugger or a normal build.
public enum FuzzReplay {
    /// Feeds every file named in `paths` (directories are walked) to `body` and prints a summary:
    /// how many inputs ran and how many `body` accepted.
    public static func replay(_ paths: some Sequence<String>, _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        var inputs = 0
        var accepted = 0
        for path in paths {
            for file in try files(at: path) {
                let data = try Data(contentsOf: file)
                inputs += 1
                if data.withUnsafeBytes(body) { accepted += 1 }
            }
        }
        print("replayed \(inputs) inputs, \(accepted) accepted")
    }

    /// The regular files at `path`: the file itself, or those under the directory, sorted.
    public static func files(at path: String) throws -> [URL] {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        guard isDirectory.boolValue else { return [url] }
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { !$0.hasDirectoryPath }
            .sorted { $0.path < $1.path }
    }
}

#if FUZZING
/// libFuzzer's driver, for fuzzing builds whose `main` is the target's own entry point.
public enum FuzzDriver {
    /// Runs libFuzzer with the process's arguments over `body`, and returns its exit code.
    public static func run(
        argc: CInt,
        argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt {
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return llvmFuzzerRunDriver(&count, &arguments, body)
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
private func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
#endif
