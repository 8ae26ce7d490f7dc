import ProfileModel

/// Go's system-stack frames end at a known root: code running on a thread's g0 stack (reached
/// through `runtime.systemstack`, `runtime.mcall` or `runtime.morestack`, or started by
/// `runtime.mstart`) has no frame-pointer chain beyond the switch, so its stacks went on
/// into one unsymbolized `[unknown]` root. Those frames are dropped, so the switch (or
/// `runtime.mstart`) is the stack's root, as Go's own tracebacks end there.
enum GoStackRoots {
  /// Functions whose frame is the bottom of a g0 (system) stack, in any ABI wrapper.
  static let switchRoots: Set<String> = [
    "runtime.systemstack", "runtime.mcall", "runtime.morestack", "runtime.mstart",
  ]

  /// Whether `name` (possibly with an `.abi0` suffix) is one of `switchRoots`.
  static func isSwitchRoot(_ name: String) -> Bool {
    switchRoots.contains(name.hasSuffix(".abi0") ? String(name.dropLast(5)) : name)
  }

  /// Drops the unsymbolized frames above a g0 stack's root in every sample of `profile`;
  /// returns how many samples changed.
  @discardableResult
  static func trim(_ profile: inout Profile) -> Int {
    let isRoot = profile.locations.map { l in l.lines.last.map { isSwitchRoot(profile.name(of: $0.function)) } ?? false
    }
    guard isRoot.contains(true) else { return 0 }
    // The symbolizer names an address it cannot place `[unknown]`.
    let isUnnamed = profile.locations.map { l in l.lines.allSatisfy { profile.name(of: $0.function) == "[unknown]" } }
    return StackRewrite.apply(to: &profile) { _, frames in
      // Root first: only unnamed frames, then a root.
      guard let root = frames.lastIndex(where: { isRoot[$0.index] }), root + 1 < frames.count,
        frames[(root + 1)...].allSatisfy({ isUnnamed[$0.index] })
      else { return nil }
      return Array(frames[...root])
    }
  }
}
