extension WebAssets {
  /// The one HTML page; `{{BASE}}` becomes `/TOKEN/` so assets load with or without a trailing slash.
  static let indexTemplate = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>perfsh</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{{BASE}}assets/app.css">
    <script src="{{BASE}}assets/app.js" defer></script>
    </head>
    <body>
    <header><a href="#/">perfsh</a> <span id="title"></span></header>
    <main id="main">loading…</main>
    </body>
    </html>
    """#
}
