/// Why a request could not be answered: the HTTP status and a sentence for the JSON body.
public struct WebError: Error, Sendable, Equatable {
  public var status: Int
  public var message: String

  public init(status: Int, _ message: String) {
    self.status = status
    self.message = message
  }

  static func notFound(_ message: String) -> WebError { WebError(status: 404, message) }
  static func badRequest(_ message: String) -> WebError { WebError(status: 400, message) }

  /// `{"error": "...", "status": 404}`.
  public var json: JSONValue { .object([("error", .string(message)), ("status", .int(Int64(status)))]) }
}
