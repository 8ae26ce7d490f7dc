import Analysis
import Formats
import ProfileModel
import Render

/// A loaded profile through the reports a user runs next (top, tree, peek, heatmap): what a
/// hostile profile file reaches after `load`. Analysis errors are outcomes; traps are findings.
enum ReportFuzzing {
  static func reports(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let profile: Profile
    do {
      profile = try ProfileLoader.load(bytes: Array(bytes), name: "fuzz", limit: FormatsFuzzing.gzipLimit)
    } catch {
      return rejected(error.description)
    }
    var out = ""
    do {
      let top = try TopReport(profile: profile, options: TopOptions(nodeCount: 20))
      TopRenderer.write(top, to: &out, options: RenderOptions(width: 100))
      let tree = try CallTree(profile: profile, options: CallTreeOptions(maxDepth: 64))
      CallTreeRenderer.write(tree, to: &out, options: RenderOptions(width: 100))
      let peek = try PeekReport(profile: profile, matching: try NameMatcher("."))
      PeekRenderer.write(peek, to: &out)
      // The heatmap needs a time column (folded stacks have only counts).
      if Heatmap.timeColumn(of: profile) != nil {
        let heatmap = try Heatmap(profile: profile)
        for mode in [HeatmapMode.bar, .sparkline, .table] {
          _ = HeatmapRenderer.rows(
            heatmap, rows: Array(heatmap.rows.prefix(10)), mode: mode, options: RenderOptions(width: 100))
        }
      }
    } catch {
      return rejected(error.description)
    }
    return .accepted(items: profile.samples.count)
  }
}
