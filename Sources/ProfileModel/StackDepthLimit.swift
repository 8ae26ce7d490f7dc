/// The deepest stack a profile keeps, and the marker frame that stands for frames cut off.
///
/// A stack deeper than `maxFrames` keeps its `maxFrames - 1` leaf-most frames (as pprof and perf
/// keep the innermost frames) under one root-side frame named `[truncated N frames]`, so it has
/// exactly `maxFrames` frames, reloading it changes nothing, and flat and cum of every kept
/// function, and the totals, stay exact. Analysis is linear in depth anyway;
/// the cap bounds what one stack can cost every report (a 1M-frame stack would otherwise make
/// `tree` print a million rows per sample path).
public enum StackDepthLimit {
  /// Most frames a stack keeps, the marker included.
  public static let maxFrames = 4096

  /// How many root-side frames a stack of `depth` frames loses (0 when it fits); the marker
  /// takes the place of the last of them.
  public static func droppedFrames(depth: Int) -> Int { depth > maxFrames ? depth - (maxFrames - 1) : 0 }

  /// The marker function's name for `dropped` frames.
  public static func markerName(dropped: Int) -> String { "[truncated \(dropped) frames]" }
}

/// Interns the marker locations of one load, one per distinct number of dropped frames.
public struct TruncationMarkers: Sendable {
  private var byDropped: [Int: LocationID] = [:]

  /// Markers for a load that has made none yet.
  public init() {}

  /// The marker location for `dropped` frames in `profile`, added when new.
  public mutating func location(dropped: Int, in profile: inout Profile) -> LocationID {
    if let id = byDropped[dropped] { return id }
    let name = profile.strings.intern(StackDepthLimit.markerName(dropped: dropped))
    let function = FunctionID(profile.functions.count)
    profile.functions.append(Function(name: name, systemName: name, filename: .empty))
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(lines: [Line(function: function)]))
    byDropped[dropped] = id
    return id
  }
}
