import ArgumentParser
import ProfileModel

/// `--clock cpu|wall` on the commands that show traced per-call times (heatmap, top, export).
extension CallClock: ExpressibleByArgument {}
