extension WebAssets {
  /// The page style sheet.
  static let appCSS = #"""
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { background: #333; color: #eee; padding: 6px 14px; }
    header a { color: #fff; text-decoration: none; font-weight: bold; margin-right: 1em; }
    #main { padding: 10px 14px; }
    table.data { border-collapse: collapse; margin: 8px 0; background: #fff; }
    table.data th, table.data td { border-bottom: 1px solid #ddd; padding: 2px 8px; text-align: left; white-space: nowrap; }
    table.data th { cursor: pointer; background: #eee; user-select: none; }
    .num { text-align: right !important; font-variant-numeric: tabular-nums; }
    .tabs a { margin-right: .6em; }
    .tab.on { font-weight: bold; text-decoration: none; color: #000; }
    .downloads { margin-left: 2em; color: #555; }
    .live { color: #b00; font-size: 80%; }
    .error { color: #b00; font-weight: bold; }
    iframe { width: 100%; height: 75vh; border: 1px solid #ccc; background: #fff; }
    .legend { color: #555; font-size: 85%; margin: 0 0 8px; }
    .hrow { display: flex; align-items: center; gap: 8px; font-family: monospace; }
    .hname { width: 32em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .hgraph { flex: 1; max-width: 40em; }
    .bar { display: inline-block; height: 12px; min-width: 1px; }
    .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
    .sig { color: #b00; font-weight: bold; }
    .insig { color: #777; }
    pre { background: #fff; padding: 6px; border: 1px solid #ddd; }
    """#
}
