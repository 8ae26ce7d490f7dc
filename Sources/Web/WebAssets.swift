/// The static files of the web view, compiled into the binary: no CDN, nothing fetched
/// from outside. Looked up by exact name only, so no URL can reach the file system.
enum WebAssets {
  struct Asset {
    var type: String
    var text: String
  }

  static let files: [String: Asset] = [
    "app.js": Asset(type: "text/javascript; charset=utf-8", text: appJS),
    "app.css": Asset(type: "text/css; charset=utf-8", text: appCSS),
  ]

  /// The page for a server whose URLs start with `/TOKEN/`.
  static func index(token: String) -> String { indexTemplate.replacingOccurrences("{{BASE}}", with: "/\(token)/") }
}

extension String {
  fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
