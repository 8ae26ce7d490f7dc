// swift-tools-version: 6.0
// perfsh: a profiling shell for Linux. Layers and import rules: docs/architecture.md.
import PackageDescription

/// The package directory, for the recorder's link wrapper (the Swift driver needs an absolute path).
let packageRoot = String(#filePath.dropLast("/Package.swift".count))

let package = Package(
  name: "perfsh",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "perfsh", targets: ["perfsh"]),
    // The allocation recorder `run --alloc` preloads into the target; perfsh finds it next to itself.
    .library(name: "perfsh-alloc", type: .dynamic, targets: ["CAllocRecorder"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
  ],
  targets: [
    // C shims and system libraries: only what Swift cannot import directly.
    .target(name: "CPerfEvent"),
    // The allocation recorder (C only, imports nothing of the project) and the ring layout it
    // shares with Capture. Frame pointers for its own stack walk; -fexceptions so a C++
    // bad_alloc thrown through operator new still releases its guard.
    .target(name: "CAllocRing"),
    .target(
      name: "CAllocRecorder", dependencies: ["CAllocRing"],
      cSettings: [.unsafeFlags(["-O2", "-fno-omit-frame-pointer", "-fexceptions"])],
      // No Swift runtime in the target: no swiftrt.o, and scripts/link-recorder puts --as-needed
      // ahead of the libswiftCore the driver always adds, so only libc, libm and libgcc_s load.
      linkerSettings: [
        .linkedLibrary("m"), .linkedLibrary("dl"),
        .unsafeFlags(["-nostartfiles", "-ld-path=\(packageRoot)/scripts/link-recorder"]),
      ]),
    .systemLibrary(name: "CLibEdit", providers: [.apt(["libedit-dev"])]),
    .systemLibrary(name: "CLibDW", providers: [.apt(["libdw-dev"])]),
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
    // x86-64 instruction decoding (Zydis, libzydis-dev) for probe placement: one C shim.
    .target(name: "CX86Decode", linkerSettings: [.linkedLibrary("Zydis")]),
    .systemLibrary(name: "CLzma", providers: [.apt(["liblzma-dev"])]),
    // swift_demangle (libswiftCore) and __cxa_demangle (libstdc++) declared in C for Symbolize.
    .target(name: "CDemangle"),
    // BPF: libbpf (libbpf-dev) behind one C shim, and the programs (*.bpf, C for the BPF machine)
    // compiled by the toolchain's clang at build time and embedded (Plugins/BPFCompile).
    .target(name: "CBPF", linkerSettings: [.linkedLibrary("bpf")]),
    .plugin(name: "BPFCompile", capability: .buildTool()),
    .target(name: "BPFObjects", plugins: ["BPFCompile"]),

    // The in-memory profile. Imports nothing of the project.
    .target(name: "ProfileModel"),
    // Syscalls: the one errno type (swift-system's Errno, re-exported) and valueOrErrno.
    .target(name: "Syscalls", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),

    // Capture: launching under perf events, rings, records, the record -> profile converter.
    .target(
      name: "Capture",
      dependencies: [
        "ProfileModel", "CPerfEvent", "CAllocRing", "CBPF", "BPFObjects", "Syscalls",
      ],
      // Optimized in debug builds too: the drain loop keeps up with the kernel only when its
      // generic merge and decoders are specialized (unoptimized, a Go run of 10^6 traced calls
      // lost 2.3 M of 4 M records to ring overflow in the tests' debug build).
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    // Symbolize: ELF, DWARF (libdw), demangling. Parsers take bytes.
    .target(
      name: "Symbolize",
      dependencies: [
        "ProfileModel", "CLibDW", "CX86Decode", "CLzma", "CDemangle", "Syscalls",
      ],
      linkerSettings: [.linkedLibrary("stdc++")]),
    // Unwind: DWARF CFI unwinding of sampled user stacks (Capture's protocol, Symbolize's CFI).
    .target(name: "Unwind", dependencies: ["Capture", "Symbolize"]),
    // Fetch: a small HTTP/1.1 client over POSIX sockets (load http://…/debug/pprof/…).
    .target(name: "Fetch", dependencies: ["Syscalls"]),
    // Formats: pprof, folded stacks, gzip.
    .target(name: "Formats", dependencies: ["ProfileModel", "CZlib", "Syscalls"]),
    // Analysis: pure functions of a profile.
    .target(name: "Analysis", dependencies: ["ProfileModel"]),
    // Render: text output to a stream it is given.
    .target(name: "Render", dependencies: ["Analysis", "ProfileModel"]),
    // Web: `serve`'s HTTP server (Hummingbird), JSON views and embedded pages. Reads sessions
    // through its own protocol that Shell implements; never imports Shell.
    .target(
      name: "Web",
      dependencies: [
        "ProfileModel", "Formats", "Analysis", "Render",
        .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
      ]),
    .testTarget(name: "WebTests", dependencies: ["Web", "PerfshTestSupport"], exclude: ["Snapshots"]),
    // Shell: sessions, commands, line reader, scripts.
    .target(
      name: "Shell",
      dependencies: [
        "ProfileModel", "Capture", "Symbolize", "Unwind", "Formats", "Fetch", "Analysis", "Render", "CLibEdit", "Web",
        "Syscalls",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(name: "perfsh", dependencies: ["Shell"]),
    // Benchmark driver for scripts/bench-pprof: generates a large pprof and times decoding.
    .executableTarget(name: "perfsh-bench", dependencies: ["Formats", "ProfileModel"]),
    // Hidden benchmark driver for the sampler alone (scripts/bench-overhead).
    .executableTarget(name: "perfsh-capture-bench", dependencies: ["Capture"]),
    // Benchmark driver for scripts/bench-unwind: call-graph modes, unwind and symbolize timing.
    .executableTarget(name: "perfsh-unwind-bench", dependencies: ["Capture", "Unwind", "Symbolize"]),

    // Fuzzing (scripts/fuzz): one entry point per parser, shared by the libFuzzer driver and
    // the regression replay tests. The ordinary build compiles perfsh-fuzz as a replayer; the
    // sanitized libFuzzer build is scripts/fuzz's own (.build-fuzz, -DPERFSH_LIBFUZZER).
    .target(
      name: "FuzzTargets",
      dependencies: [
        "Formats", "Fetch", "Symbolize", "Capture", "Shell", "Analysis", "Render", "ProfileModel", "Web", "Syscalls",
      ]),
    .executableTarget(name: "perfsh-fuzz", dependencies: ["FuzzTargets"]),

    .target(
      name: "PerfshTestSupport",
      dependencies: ["ProfileModel", "Shell", "Capture"],
      path: "Tests/PerfshTestSupport"),
    .testTarget(name: "ProfileModelTests", dependencies: ["ProfileModel", "PerfshTestSupport"]),
    .testTarget(name: "CaptureTests", dependencies: ["Capture", "Symbolize", "BPFObjects", "PerfshTestSupport"]),
    .testTarget(
      name: "SymbolizeTests", dependencies: ["Symbolize", "Analysis", "PerfshTestSupport"], exclude: ["Snapshots"]),
    .testTarget(
      name: "FormatsTests", dependencies: ["Formats", "Syscalls", "PerfshTestSupport"], exclude: ["Snapshots"]),
    .testTarget(name: "FetchTests", dependencies: ["Fetch", "PerfshTestSupport"]),
    .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "PerfshTestSupport"]),
    .testTarget(name: "RenderTests", dependencies: ["Render", "PerfshTestSupport"], exclude: ["Snapshots"]),
    .testTarget(name: "ShellTests", dependencies: ["Shell", "Syscalls", "PerfshTestSupport"], exclude: ["Snapshots"]),
    .testTarget(name: "UnwindTests", dependencies: ["Unwind", "Capture", "Symbolize", "PerfshTestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["perfsh", "PerfshTestSupport"]),
    .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "PerfshTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
