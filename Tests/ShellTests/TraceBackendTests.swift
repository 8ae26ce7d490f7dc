import Capture
import PerfshTestSupport
import ProfileModel
import XCTest

@testable import Shell

/// `set tracebackend auto|bpf|ring`: which path a traced run takes and why, and how the run
/// line and `info` say it.
final class TraceBackendTests: XCTestCase {
  private let available = BPFSupport.Availability.available
  private let refused = BPFSupport.Availability.unavailable(reason: "turned off by PERFSH_BPF=off")

  func testAutoTakesBPFWhenItCanAndSaysWhyNotWhenItCannot() throws {
    XCTAssertEqual(
      try TraceBackend.auto.choose(availability: available, unsupported: nil, needsRecords: nil),
      .init(usesBPF: true, reason: "BPF available, native code"))
    XCTAssertEqual(
      try TraceBackend.auto.choose(availability: refused, unsupported: nil, needsRecords: nil),
      .init(usesBPF: false, reason: "BPF unavailable: turned off by PERFSH_BPF=off"))
    XCTAssertEqual(
      try TraceBackend.auto.choose(availability: available, unsupported: "Go code", needsRecords: nil),
      .init(usesBPF: false, reason: "Go code"))
    XCTAssertEqual(
      try TraceBackend.auto.choose(availability: available, unsupported: nil, needsRecords: "per-hit records"),
      .init(usesBPF: false, reason: "per-hit records"))
  }

  func testRingIsAlwaysRingAndBPFRefusesWhatItCannotDo() throws {
    XCTAssertEqual(
      try TraceBackend.ring.choose(availability: available, unsupported: nil, needsRecords: nil).usesBPF, false)
    XCTAssertEqual(
      try TraceBackend.bpf.choose(availability: available, unsupported: nil, needsRecords: nil).usesBPF, true)
    XCTAssertThrowsError(try TraceBackend.bpf.choose(availability: refused, unsupported: nil, needsRecords: nil)) {
      XCTAssertEqual(
        "\($0)", "run: tracebackend bpf: BPF cannot be used here: turned off by PERFSH_BPF=off")
    }
    XCTAssertThrowsError(
      try TraceBackend.bpf.choose(availability: available, unsupported: "Go code", needsRecords: nil, command: "run"))
  }

  func testTheSettingTakesTheThreeValues() throws {
    var settings = Settings()
    XCTAssertEqual(settings.traceBackend, .auto)
    try settings.set("tracebackend", to: "ring", origin: .command)
    XCTAssertEqual(settings.traceBackend, .ring)
    XCTAssertThrowsError(try settings.set("tracebackend", to: "kernel", origin: .command))
    let fromEnvironment = try Settings.resolve(flags: [:], environment: ["PERFSH_TRACEBACKEND": "bpf"], config: nil)
    XCTAssertEqual(fromEnvironment.settings.traceBackend, .bpf)
  }

  /// The run line marks calls paired in the kernel; `info` gives the path and the reason.
  func testRunLineAndInfoGolden() {
    var bpf = ShellGoldenTests.tracedRun()
    bpf.run.notes.append(TraceRun.backendNote(.init(usesBPF: true, reason: "BPF available, native code")))
    var ring = ShellGoldenTests.tracedRun()
    ring.run.notes.append(TraceRun.backendNote(.init(usesBPF: false, reason: "tracebackend ring")))
    let shell = CapturedShell()
    _ = shell.context.addSession(bpf, name: "parser", source: .run(command: ["./parser", "big.yaml"]))
    _ = shell.context.addSession(ring, name: "parser", source: .run(command: ["./parser", "big.yaml"]))
    XCTAssertEqual(shell.runScript("info 1\ninfo 2\n").exitStatus, 0, shell.stderr)
    XCTAssertTrue(shell.stdout.contains("calls 502,239 (bpf)"), shell.stdout)
    assertSnapshot(shell.stdout, named: "trace-backend")
  }
}
