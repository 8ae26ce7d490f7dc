import Capture
import XCTest

/// The one way tests that need perf events skip when the kernel refuses them: the same
/// check, the same message, wherever it is asked.
public enum PerfEvents {
  /// Why perf events are refused here, or nil when a cpu-clock event on this process opens.
  public static let refusal: String? = {
    let attr = PerfEventFile.cpuClockAttributes(frequency: 100, excludeKernel: true, wakeupBytes: 4096)
    do throws(CaptureError) {
      _ = try PerfEventFile.open(attributes: attr, pid: 0, cpu: -1)
      return nil
    } catch {
      return error.description
    }
  }()

  /// The message of every skip for refused perf events.
  public static func skipMessage(_ reason: String) -> String {
    "perf events are refused here (\(reason)); run as root or lower kernel.perf_event_paranoid"
  }

  /// Throws `XCTSkip` with `skipMessage` when perf events are refused.
  public static func skipUnlessAvailable() throws {
    if let refusal { throw XCTSkip(skipMessage(refusal)) }
  }
}
