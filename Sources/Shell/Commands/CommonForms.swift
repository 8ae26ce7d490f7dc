/// Hand parses of the words `perfsh run CMD` itself runs after the target (`summary`,
/// `top 10`): words only, no flags. See `RunCommand.parseCommonForm` for why.
extension SummaryCommand {
  /// `summary [SESSION]`.
  static func parseCommonForm(_ arguments: [String]) -> SummaryCommand? {
    guard arguments.count <= 1, !arguments.contains(where: { $0.hasPrefix("-") }) else { return nil }
    var summary = SummaryCommand()
    summary.session = arguments.first
    return summary
  }
}

extension TopCommand {
  /// `top [N] [SESSION]` with every flag at its default.
  static func parseCommonForm(_ arguments: [String]) -> TopCommand? {
    guard !arguments.contains(where: { $0.hasPrefix("-") }) else { return nil }
    var top = TopCommand()
    top.words = arguments
    top.cum = false
    top.sort = nil
    top.clock = nil
    top.raw = false
    top.report = .defaults
    return top
  }
}

extension ReportOptions {
  /// Every report flag at its default, as the parser leaves them when none is given.
  static var defaults: ReportOptions {
    var report = ReportOptions()
    report.sampleIndex = nil
    report.granularity = .functions
    report.view = .defaults
    return report
  }
}

extension ViewOptions {
  /// Every view flag at its default, as the parser leaves them when none is given.
  static var defaults: ViewOptions {
    var view = ViewOptions()
    view.names = nil
    view.noinlines = false
    view.tagfocus = nil
    view.tagignore = nil
    view.tagroot = nil
    view.allThreads = false
    return view
  }
}
